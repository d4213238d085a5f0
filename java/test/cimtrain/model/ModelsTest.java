package cimtrain.model;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {
    @TempDir
    Path dir;

    private String errorFor(String yaml) throws IOException {
        Path f = dir.resolve("m.yaml");
        Files.writeString(f, yaml);
        UserError e = assertThrows(UserError.class, () -> Models.load(f.toString()));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void everyShippedModelLoads() {
        for (String name : Models.SHIPPED) {
            assertEquals(name, Models.load(name).name);
        }
    }

    @Test
    void aUserModelFileWorksWithoutJava() throws IOException {
        Path f = dir.resolve("mine.yaml");
        Files.writeString(f, "name: mine\ninput: [1, 8, 8]\nlayers:\n  - conv: {out: 2, kernel: 3}\n  - relu\n  - flatten\n  - linear: {out: 3}\n");
        ModelSpec spec = Models.load(f.toString());
        assertEquals("mine", spec.name);
        assertEquals(4, spec.build(1.0).children().size());
    }

    @Test
    void mistakesAreNamed() throws IOException {
        String head = "name: bad\ninput: [1, 8, 8]\nlayers:\n";
        assertTrue(errorFor(head + "  - conv: {out: 2, kernal: 3}\n").contains("unknown field 'kernal'"));
        assertTrue(errorFor(head + "  - conv: {out: 2}\n").contains("missing field 'kernel'"));
        assertTrue(errorFor(head + "  - conv: {out: -2, kernel: 3}\n").contains("'out' must be a positive"));
        assertTrue(errorFor(head + "  - dense: {out: 2}\n").contains("unknown layer type 'dense'"));
        assertTrue(errorFor(head + "  - conv: {out: 2, kernel: 9}\n  - flatten\n  - linear: {out: 2}\n")
                .contains("does not fit"));
        assertTrue(errorFor(head + "  - conv: {out: 2, kernel: 3}\n").contains("must end in a vector"));
        assertTrue(errorFor("name: bad\ninput: [1, 8]\nlayers: [relu]\n").contains("'input'"));
        assertTrue(errorFor("name: bad\ninput: [1, 8, 8]\nlayers: [relu]\nextra: 1\n").contains("unknown field 'extra'"));
        assertTrue(errorFor("name: [unclosed\n").contains("cannot read YAML"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        UserError e = assertThrows(UserError.class, () -> Models.load("lenet-papper"));
        assertTrue(e.getMessage().contains("lenet-paper"));
    }

    @Test
    void widthScalesAllButTheClassifier() {
        ModelSpec vgg = Models.load("vgg8");
        var full = new cimtrain.nn.Network("v", new cimtrain.backend.cpu.CpuBackend(1), () -> vgg.build(1.0), vgg.input, 1, 0);
        var quarter = new cimtrain.nn.Network("v", new cimtrain.backend.cpu.CpuBackend(1), () -> vgg.build(0.25), vgg.input, 1, 0);
        assertEquals(10, quarter.classes);
        assertTrue(quarter.parameterCount() < full.parameterCount() / 10);
    }
}
