package cimtrain.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sorts runs into {@link RunGroup}s. A hardware field is a swept parameter when runs on the same chip
 * (same base name) that record it hold different values for it; a field of the training recipe (lr, epochs, ...) is one
 * when the runs that record it hold different values. A swept parameter's value becomes part of the
 * group, so the seeds of one sweep point are summarised together and the points are kept apart.
 *
 * @param groups fp32 first, then the chip modes; within a mode by chip and swept values
 * @param swept  every swept parameter: hardware fields by their dotted path in hardware_spec, training
 *               fields by their config.json name
 */
public record RunGroups(List<RunGroup> groups, List<String> swept) {
    /** Table and legend order of the modes; modes not listed follow, alphabetically. */
    private static final List<String> MODE_ORDER = java.util.stream.Stream.of(cimtrain.train.Mode.FP32, cimtrain.train.Mode.QAT,
            cimtrain.train.Mode.MP, cimtrain.train.Mode.MP_PULSE, cimtrain.train.Mode.DIRECT).map(cimtrain.train.Mode::label).toList();
    private static final String ABSENT = "(absent)";

    public static RunGroups of(List<RunRecord> runs) {
        Map<String, Set<String>> sweptByChip = sweptFields(runs);
        Set<String> sweptTraining = sweptTrainingFields(runs);
        Set<String> allSwept = new TreeSet<>(sweptTraining);
        sweptByChip.values().forEach(allSwept::addAll);
        boolean severalSetups = runs.stream().map(r -> r.model() + "\n" + r.dataset()).distinct().count() > 1;
        boolean severalChips = runs.stream().map(RunRecord::hardware).filter(Objects::nonNull).distinct().count() > 1;

        Map<List<Object>, List<RunRecord>> byKey = new LinkedHashMap<>();
        Map<List<Object>, Map<String, String>> sweptOf = new LinkedHashMap<>();
        for (RunRecord r : runs) {
            Map<String, String> values = new TreeMap<>();
            for (String field : sweptTraining) {
                if (r.trainingFields().containsKey(field)) {
                    values.put(field, r.trainingFields().get(field));
                }
            }
            for (String field : sweptByChip.getOrDefault(r.hardware(), Set.of())) {
                values.put(field, r.hardwareFields().getOrDefault(field, ABSENT));
            }
            List<Object> key = Arrays.asList(r.model(), r.dataset(), r.mode(), r.hardware(), values);
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            sweptOf.put(key, values);
        }
        List<RunGroup> groups = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        byKey.forEach((key, members) -> {
            RunRecord first = members.get(0);
            Map<String, String> values = sweptOf.get(key);
            String label = label(first, values, severalSetups, severalChips);
            // charts name their series by label and refuse two of one name
            for (int n = 2; !labels.add(label); n++) {
                label = label(first, values, severalSetups, severalChips) + " (" + n + ")";
            }
            groups.add(new RunGroup(first.model(), first.dataset(), first.mode(), first.hardware(), values, label,
                    members.stream().sorted(Comparator.comparingLong(RunRecord::seed)).toList()));
        });
        groups.sort(ORDER);
        return new RunGroups(groups, List.copyOf(allSwept));
    }

    /**
     * The fp32 group the group is compared with: same model and dataset, and where the training recipe
     * was swept, the same recipe if there is such a group; null when there is no fp32 run to compare with.
     */
    public RunGroup baselineOf(RunGroup g) {
        List<RunGroup> candidates = groups.stream().filter(b -> cimtrain.train.Mode.FP32.is(b.mode()) && b.model().equals(g.model())
                && b.dataset().equals(g.dataset())).toList();
        return candidates.stream().filter(b -> sameRecipe(b, g)).findFirst()
                .orElse(candidates.isEmpty() ? null : candidates.get(0));
    }

    private static boolean sameRecipe(RunGroup a, RunGroup b) {
        return RunReader.TRAINING_FIELDS.stream().allMatch(f -> Objects.equals(a.swept().get(f), b.swept().get(f)));
    }

    /** The training fields to which the runs that record them give different values. */
    private static Set<String> sweptTrainingFields(List<RunRecord> runs) {
        Set<String> out = new TreeSet<>();
        for (String f : RunReader.TRAINING_FIELDS) {
            // absent is not a value: fp32 runs have no read model, and that is no sweep
            if (runs.stream().map(r -> r.trainingFields().get(f)).filter(Objects::nonNull).distinct().count() > 1) {
                out.add(f);
            }
        }
        return out;
    }

    /** Per chip base name, the hardware fields whose values differ between its runs. */
    private static Map<String, Set<String>> sweptFields(List<RunRecord> runs) {
        Map<String, List<RunRecord>> byChip = new LinkedHashMap<>();
        runs.stream().filter(r -> r.hardware() != null)
                .forEach(r -> byChip.computeIfAbsent(r.hardware(), k -> new ArrayList<>()).add(r));
        Map<String, Set<String>> out = new LinkedHashMap<>();
        byChip.forEach((chip, chipRuns) -> {
            Set<String> fields = new TreeSet<>();
            chipRuns.forEach(r -> fields.addAll(r.hardwareFields().keySet()));
            Set<String> swept = new TreeSet<>();
            for (String f : fields) {
                // absent is not a value, as for the training fields: a run made before a field existed
                // does not record it, and that is no sweep
                Set<String> values = new HashSet<>();
                chipRuns.forEach(r -> {
                    if (r.hardwareFields().containsKey(f)) {
                        values.add(r.hardwareFields().get(f));
                    }
                });
                if (values.size() > 1) {
                    swept.add(f);
                }
            }
            out.put(chip, swept);
        });
        return out;
    }

    private static String label(RunRecord r, Map<String, String> swept, boolean severalSetups, boolean severalChips) {
        StringBuilder s = new StringBuilder();
        if (severalSetups) {
            s.append(r.model()).append(" / ").append(r.dataset()).append(": ");
        }
        s.append(r.mode());
        if (severalChips && r.hardware() != null) {
            s.append(" on ").append(r.hardware());
        }
        swept.forEach((k, v) -> s.append(", ").append(k).append('=').append(v));
        return s.toString();
    }

    private static int modeRank(String mode) {
        int i = MODE_ORDER.indexOf(mode);
        return i < 0 ? MODE_ORDER.size() : i;
    }

    private static final Comparator<RunGroup> ORDER = Comparator.comparing(RunGroup::model)
            .thenComparing(RunGroup::dataset)
            .thenComparingInt(g -> modeRank(g.mode()))
            .thenComparing(RunGroup::mode)
            .thenComparing(RunGroup::hardware, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(RunGroups::compareSwept);

    /** Sweep points in the order of their values, numerically where both are numbers. */
    private static int compareSwept(RunGroup a, RunGroup b) {
        for (String k : a.swept().keySet()) {
            int c = compareValues(a.swept().get(k), b.swept().getOrDefault(k, ABSENT));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    static int compareValues(String a, String b) {
        Double x = numeric(a), y = numeric(b);
        return x != null && y != null ? Double.compare(x, y) : a.compareTo(b);
    }

    /** The number a swept value stands for; null when it is not one (a name, true/false, a list). */
    static Double numeric(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
