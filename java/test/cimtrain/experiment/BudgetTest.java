package cimtrain.experiment;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The budgets' per-model training figures and how overrides treat them. */
class BudgetTest {
    @Test
    void quickGivesVgg8MoreEpochsThanResnet18OnTheSameImages() {
        Budget q = Budget.of(Budget.QUICK);
        assertEquals(6000, q.trainLimit("resnet18"));
        assertEquals(12, q.epochs("resnet18"));
        assertEquals(6000, q.trainLimit("vgg8"));
        assertEquals(20, q.epochs("vgg8"));
        assertEquals(6000, q.trainLimit(List.of("vgg8", "resnet18")));
        assertEquals(Map.of("vgg8", Map.of("epochs", 20)), q.toMap().get("per_model"));
    }

    @Test
    void theDataIsLoadedForTheModelThatNeedsMost() {
        Budget b = new Budget("custom", 0.125, 3000, 2000, 12, 5, 2, Map.of("vgg8", new Budget.ModelTraining(6000, null)));
        assertEquals(6000, b.trainLimit(List.of("vgg8", "resnet18")));
        assertEquals(3000, b.trainLimit(List.of("resnet18")));
        assertEquals(0, new Budget("custom", 0.125, 3000, 2000, 12, 5, 2, Map.of("vgg8", new Budget.ModelTraining(0, null)))
                .trainLimit(List.of("vgg8", "resnet18")), "0: all images");
    }

    @Test
    void anOverrideAppliesToEveryModelAndKeepsTheOtherPerModelFigure() {
        Budget q = Budget.of(Budget.QUICK);
        Budget fewer = q.with(null, 500, null, null, null, null);
        assertEquals("quick+custom", fewer.name());
        assertEquals(500, fewer.trainLimit("vgg8"));
        assertEquals(500, fewer.trainLimit("resnet18"));
        assertEquals(20, fewer.epochs("vgg8"), "the epochs were not overridden");
        Budget both = q.with(null, 500, null, 2, null, null);
        assertEquals(2, both.epochs("vgg8"));
        assertFalse(both.toMap().containsKey("per_model"));
        assertSame(q, q.with(null, null, null, null, null, null));
        assertEquals(0, Budget.of(Budget.FULL).trainLimit(List.of("vgg8", "resnet18")), "full: all images");
    }

    @Test
    void anImpossibleFigureIsNamedAsTheStudyRecordsIt() {
        cimtrain.util.SettingError e = org.junit.jupiter.api.Assertions.assertThrows(cimtrain.util.SettingError.class,
                () -> Budget.of(Budget.QUICK).with(null, -1, null, null, null, null));
        assertEquals("train_limit and test_limit must be 0 (all) or positive", e.getMessage());
        assertEquals("budget must be one of quick, full, got 'huge'",
                org.junit.jupiter.api.Assertions.assertThrows(cimtrain.util.SettingError.class, () -> Budget.of("huge"))
                        .getMessage());
    }
}
