package cimtrain.sweep;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepPlanTest {
    private static final String BASE = "base: {model: lenet-paper, epochs: 2, steps-per-epoch: 5, train-limit: 320}\n";

    @TempDir
    Path tmp;

    private SweepPlan plan(String name, String yaml) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, yaml);
        return SweepPlan.load(f);
    }

    private static Map<String, String> idsByLabel(SweepPlan p) {
        return p.jobs().stream().collect(Collectors.toMap(Job::describe, Job::id));
    }

    @Test
    void aGridExpandsInOrderWithStableIds() throws Exception {
        SweepPlan p = plan("a.yaml", BASE + "axes:\n  mode: [fp32, mp]\n  seed: [0, 1, 2]\n");
        List<Job> jobs = p.jobs();
        assertEquals(6, jobs.size());
        assertEquals("mode=fp32 seed=0", p.label(jobs.get(0)));
        assertEquals("mode=fp32 seed=1", p.label(jobs.get(1)));
        assertEquals("mode=mp seed=2", p.label(jobs.get(5)));
        assertEquals(6, jobs.stream().map(Job::id).distinct().count(), "ids differ between jobs");
        assertTrue(jobs.stream().allMatch(j -> j.id().matches("[0-9a-f]{10}")));
        p.validate(jobs);

        // the same plan read again, and the same jobs written in another order: the same ids
        SweepPlan again = plan("b.yaml", "axes:\n  seed: [2, 1, 0]\n  mode: [mp, fp32]\n"
                + "base: {train-limit: 320, steps-per-epoch: 5, epochs: 2, model: lenet-paper}\n");
        assertEquals(idsByLabel(p), idsByLabel(again));
    }

    @Test
    void addingAnAxisValueKeepsTheIdsOfTheOldJobs() throws Exception {
        Map<String, String> before = idsByLabel(plan("a.yaml", BASE + "axes: {mode: [fp32, mp], seed: [0, 1]}\n"));
        SweepPlan edited = plan("b.yaml", BASE + "axes: {mode: [fp32, mp, qat], seed: [0, 1, 5]}\n");
        Map<String, String> after = idsByLabel(edited);
        assertEquals(9, after.size());
        before.forEach((job, id) -> assertEquals(id, after.get(job), job));
        // changing the base is a different experiment: every id changes
        Map<String, String> otherBase = idsByLabel(plan("c.yaml", BASE.replace("epochs: 2", "epochs: 3")
                + "axes: {mode: [fp32, mp], seed: [0, 1]}\n"));
        before.forEach((job, id) -> assertFalse(otherBase.containsValue(id)));
    }

    @Test
    void explicitJobsAreCrossedWithTheGrid() throws Exception {
        SweepPlan p = plan("a.yaml", BASE + "axes: {seed: [0, 1]}\njobs:\n  - {mode: fp32}\n"
                + "  - {mode: mp, hardware.adc.bits: 6}\n");
        List<Job> jobs = p.jobs();
        assertEquals(4, jobs.size());
        assertEquals("seed=0 mode=mp hardware.adc.bits=6", p.label(jobs.get(2)));
        assertTrue(jobs.get(2).overridesHardware());
        p.validate(jobs);
    }

    @Test
    void aHardwareFieldGivesTheJobItsOwnHardwareFile() throws Exception {
        SweepPlan p = plan("a.yaml", BASE + "axes: {hardware.adc.bits: [4, 6], hardware.mapping: [reference]}\n"
                + "jobs: [{mode: mp}]\n");
        Job job = p.jobs().get(0);
        Path file = JobHardware.write(job, p.folder(), tmp.resolve("hw/hardware.yaml"), "test");
        HardwareSpec hw = Hardware.load(file.toString());
        HardwareSpec base = Hardware.load("paper-chip");
        assertEquals(4, hw.adc().bits());
        assertEquals(HardwareSpec.REFERENCE, hw.mapping());
        // every other field as in the base file
        assertEquals(base.device(), hw.device());
        assertEquals(base.adc().noiseLsb(), hw.adc().noiseLsb());
        assertEquals(base.cost(), hw.cost());
        assertTrue(hw.name().startsWith("paper-chip+"), hw.name());
        List<String> args = TrainOptions.arguments(job, file, p.folder());
        assertEquals(file.toAbsolutePath().toString(), args.get(args.indexOf("--hardware") + 1));
        assertTrue(args.containsAll(List.of("--epochs", "2", "--mode", "mp", "--train-limit", "320")));
    }

    private void assertRejected(String yaml, String... expected) throws Exception {
        SweepPlan p;
        UserError e;
        try {
            p = plan("bad.yaml", yaml);
            SweepPlan checked = p;
            e = assertThrows(UserError.class, () -> checked.validate(checked.jobs()));
        } catch (UserError early) {
            e = early;
        }
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("plan " + tmp.resolve("bad.yaml")), e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
    }

    @Test
    void badPlansAreRejectedInOneLine() throws Exception {
        assertRejected(BASE + "axes: {epoch: [1, 2]}\n", "unknown field 'epoch'", "epochs");
        assertRejected(BASE + "axes: {seed: []}\n", "axis 'seed' is empty");
        assertRejected(BASE + "axes: {epochs: [two]}\n", "'two' is not an int", "epochs=two");
        assertRejected(BASE + "axes: {lr: [0.1, fast]}\n", "lr=fast", "'fast'");
        assertRejected(BASE + "axes: {mode: [fp32, turbo]}\n", "--mode must be one of", "mode=turbo");
        assertRejected(BASE + "axes: {epochs: [0]}\n", "--epochs must be at least 1");
        assertRejected(BASE + "axes: {hardware.adc.bitz: [4]}\n", "unknown field 'bitz'");
        assertRejected(BASE + "axes: {hardware.adc.bits: [four]}\n", "adc.bits must be a whole number", "four");
        assertRejected(BASE + "axes: {hardware.adc: [4]}\n", "adc must be a map");
        assertRejected(BASE + "axes: {hardware.a.b.c: [4]}\n", "not a hardware field");
        assertRejected(BASE + "axes: {seed: [[0, 1]]}\n", "a value must be a single");
        assertRejected(BASE + "axes: {out: [x]}\n", "unknown field 'out'", "sets it");
        assertRejected(BASE + "axes: {seed: 3}\n", "must be a list");
        assertRejected(BASE + "grid: {seed: [1]}\n", "unknown section 'grid'");
        assertRejected("base: {model: no-such-net}\n", "no-such-net");
        assertRejected(BASE + "axes: {dataset: [mnist-10k, svhn]}\n", "unknown dataset 'svhn'");
        assertRejected(BASE + "jobs: [{seed: 1}]\naxes: {seed: [2]}\n", "both an axis");
        assertRejected("base: [1, 2]\n", "base must be a map");
    }

    @Test
    void idsDependOnlyOnTheAssignment() {
        var a = new java.util.TreeMap<>(Map.of("seed", "0", "mode", "mp"));
        assertEquals(Job.idOf(a), Job.idOf(new java.util.TreeMap<>(Map.of("mode", "mp", "seed", "0"))));
        assertNotEquals(Job.idOf(a), Job.idOf(new java.util.TreeMap<>(Map.of("mode", "mp", "seed", "1"))));
    }
}
