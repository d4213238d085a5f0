package cimtrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench's GFLOP/s columns, its table of two rows per network, and where it appends them. */
class BenchRatesTest {
    private static Map<String, Object> sgemm() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("sgemm_square_gflops_1_thread", 100.0);
        s.put("sgemm_square_gflops_threads", 200.0);
        s.put("sgemm_conv_shape", BenchCommand.CONV_SHAPE);
        s.put("sgemm_conv_gflops_1_thread", 80.0);
        s.put("sgemm_conv_gflops_threads", 150.0);
        return s;
    }

    private static Map<String, Object> row(boolean torch) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("date", "2026-12-07T20:00:00Z");
        r.put("commit", "abc1234");
        r.put("machine", "AMD EPYC, 2 cores");
        r.put("model", "vgg8");
        r.put("width", 0.25);
        r.put("batch", 64);
        r.put("threads", 2);
        r.put("blas", "JNIBLAS");
        r.put("cimtrain_samples_per_s", 500L);
        if (torch) {
            r.put("torch_version", "1.13.0a0");
            r.put("torch_samples_per_s", 1000L);
            r.put("ratio_vs_torch", 0.5);
        }
        BenchCommand.putRates(r, 10_000_000L, sgemm(), 500, torch ? 1000 : 0, 2000, torch ? 8000 : 0);
        r.put("eval_batch", 256);
        r.put("chip_eval_hardware", "paper-chip");
        r.put("chip_eval_read_model", "aggregate");
        return r;
    }

    @Test
    void ratesAreSixMacsPerSampleForTrainingAndTwoForwardOverTheSgemmRateAtTheThreadCount() {
        Map<String, Object> r = row(true);
        // 6 x 1e7 MACs x 500 samples/s = 30 GFLOP/s, 0.15 of 200
        assertEquals(30.0, r.get("cimtrain_train_gflops"));
        assertEquals(0.123, BenchCommand.significant3(0.12345));
        assertEquals(1230.0, BenchCommand.significant3(1234.5));
        assertEquals(0.15, r.get("cimtrain_train_sgemm_fraction"));
        assertEquals(60.0, r.get("torch_train_gflops"));
        assertEquals(0.3, r.get("torch_train_sgemm_fraction"));
        // forward: 2 x 1e7 x 2000 = 40 GFLOP/s; PyTorch's 2 x 1e7 x 8000 = 160
        assertEquals(40.0, r.get("chip_eval_gflops"));
        assertEquals(0.2, r.get("chip_eval_sgemm_fraction"));
        assertEquals(2000L, r.get("chip_eval_samples_per_s"));
        assertEquals(160.0, r.get("torch_forward_gflops"));
        assertEquals(200.0, r.get("sgemm_square_gflops_threads"));
    }

    @Test
    void withoutPyTorchOrAnSgemmRateThoseFieldsAreLeftOut() {
        Map<String, Object> r = new LinkedHashMap<>();
        BenchCommand.putRates(r, 1000, null, 100_000, 0, 7, 0);
        assertEquals(0.6, r.get("cimtrain_train_gflops"));
        // 2 x 1,000 x 7 = 14,000 FLOP/s, kept to three significant digits
        assertEquals(1.4e-5, r.get("chip_eval_gflops"));
        assertFalse(r.containsKey("cimtrain_train_sgemm_fraction"));
        assertFalse(r.containsKey("torch_train_gflops"));
        assertFalse(r.containsKey("torch_forward_samples_per_s"));
        assertFalse(r.containsKey("sgemm_square_gflops_threads"));
    }

    @Test
    void eachNetworkGivesATrainRowAndAForwardRowWithTheTablesColumnCount() {
        int columns = BenchCommand.TABLE.lines().findFirst().orElseThrow().split("\\|", -1).length;
        for (boolean torch : new boolean[]{true, false}) {
            List<String> lines = BenchCommand.tableRows(row(torch)).lines().toList();
            assertEquals(2, lines.size());
            for (String l : lines) {
                assertEquals(columns, l.split("\\|", -1).length, l);
            }
            assertTrue(lines.get(0).contains("| train | 64 | 500 |"), lines.get(0));
            assertTrue(lines.get(1).contains("| forward: chip evaluation on paper-chip (read model aggregate) | 256 | 2,000 |"),
                    lines.get(1));
            assertTrue(lines.get(0).contains("| 30.0 (0.15x) |"), lines.get(0));
            assertTrue(lines.get(0).contains("| 100.0 / 200.0; 80.0 / 150.0 |"), lines.get(0));
            assertEquals(torch, lines.get(1).contains("| 8,000 (torch 1.13.0a0) | 0.25x |"), lines.get(1));
        }
    }

    @Test
    void aFileWithOnlyTheOlderTableKeepsItAndGainsTheNewTableOnce(@TempDir Path dir) throws Exception {
        String old = "# fp32 training throughput on the CPU\n\n| date (UTC) | commit | old |\n|---|---|---|\n| a | b | c |\n";
        Files.writeString(dir.resolve("cpu-fp32.md"), old);
        Files.writeString(dir.resolve("cpu-fp32.jsonl"), "{\"old\":1}\n");
        BenchCommand.record(dir, List.of(row(false)), "cpu", false);
        BenchCommand.record(dir, List.of(row(true)), "cpu", false);
        String md = Files.readString(dir.resolve("cpu-fp32.md"));
        assertTrue(md.startsWith(old));
        assertEquals(md.indexOf(BenchCommand.TABLE), md.lastIndexOf(BenchCommand.TABLE));
        assertTrue(md.indexOf(BenchCommand.TABLE) > old.length());
        assertTrue(md.endsWith(BenchCommand.tableRows(row(true))));
        List<String> jsonl = Files.readAllLines(dir.resolve("cpu-fp32.jsonl"));
        assertEquals(3, jsonl.size());
        assertEquals("{\"old\":1}", jsonl.get(0));
    }

    @Test
    void aNewFolderIsMadeAndItsFileStartsWithTheNewTable(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("a/b");
        BenchCommand.record(out, List.of(row(false)), "cpu", false);
        String md = Files.readString(out.resolve("cpu-fp32.md"));
        assertEquals(md.indexOf("| date (UTC) |"), md.indexOf(BenchCommand.TABLE));
        assertFalse(md.contains("## With GFLOP/s"));
    }

    @Test
    void badBenchInputIsOneLineAndStatusTwo(@TempDir Path dir) throws Exception {
        Cli cli = new Cli();
        cli.assertBadInput("--eval-batch", "bench", "--eval-batch", "0", "--torch", "off");
        Path file = Files.writeString(dir.resolve("f"), "x");
        cli.assertBadInput("--out", "bench", "--out", file.toString(), "--torch", "off");
        cli.assertBadInput("no-such-chip", "bench", "--hardware", "no-such-chip", "--torch", "off", "--no-record");
    }

    @Test
    void eachNetworkRunsOnItsPaperChipUnlessHardwareIsNamed() {
        assertEquals("paper-chip", BenchCommand.hardwareFor(BenchCommand.PAPER, "lenet-paper"));
        assertEquals("paper-chip", BenchCommand.hardwareFor(BenchCommand.PAPER, "lenet5"));
        assertEquals("paper-table1", BenchCommand.hardwareFor(BenchCommand.PAPER, "vgg8"));
        assertEquals("paper-table1", BenchCommand.hardwareFor(BenchCommand.PAPER, "resnet18"));
        assertEquals("ideal", BenchCommand.hardwareFor("ideal", "lenet-paper"));
    }
}
