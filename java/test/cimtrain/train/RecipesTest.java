package cimtrain.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The named recipes are exactly the settings the reproductions trained their checked-in runs with (the
 * positional configurations they replaced): a changed value would make a reused run differ from a new one.
 */
class RecipesTest {
    @Test
    void lenetIsThePapersLenetRecipe() {
        assertEquals(new TrainConfig("lenet-paper", 1.0, "mnist-10k", Mode.MP, 13, 64, "adamw", 0.004f, 0.9f, 0.01f,
                "constant", 5, 2, 256, 400, "auto"), Recipes.lenet(Mode.MP, 13, 400, 2, "auto"));
    }

    @Test
    void cifarIsThePapersVgg8AndResnet18Recipe() {
        assertEquals(new TrainConfig("vgg8", 0.125, "fashion-mnist", Mode.QAT, 20, 64, "adamw", 0.003f, 0.9f, 0.01f,
                "plateau", 2, 1, 256, 0, "exact"), Recipes.cifar("vgg8", 0.125, "fashion-mnist", Mode.QAT, 20, 2, 1, "exact"));
    }
}
