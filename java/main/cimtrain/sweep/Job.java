package cimtrain.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One job of a sweep: its place in the expansion (1-based, for people), its stable id and the complete
 * assignment of plan fields (base values overridden by the job's axis and list values).
 *
 * @param hardwareValues the {@code hardware.*} fields with their YAML values, typed as written
 */
public record Job(int number, String id, SortedMap<String, String> assignment,
                  Map<String, com.fasterxml.jackson.databind.JsonNode> hardwareValues) {
    /** Digits of the SHA-256 kept for an id: short enough to type, long enough never to collide in a sweep. */
    static final int ID_HEX_DIGITS = 10;

    public Job {
        assignment = Collections.unmodifiableSortedMap(new TreeMap<>(assignment));
        hardwareValues = Map.copyOf(hardwareValues);
    }

    /**
     * The id depends only on the assignment, sorted by field, so the same job gets the same id in any
     * plan that produces it, whatever its position or the other jobs around it.
     */
    public static String idOf(SortedMap<String, String> assignment) {
        String canonical = assignment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n")
                .collect(Collectors.joining());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The assignment as one line: {@code mode=mp seed=1 ...}. */
    public String describe() {
        return assignment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    public boolean overridesHardware() {
        return !hardwareValues.isEmpty();
    }
}
