package cimtrain.tile;

/**
 * What a crossbar write rule counts, so that {@link Chip#writeStatistics} can report any rule the same
 * way (write-and-verify threshold writes, n-pulse writes).
 */
public interface WriteCounting {
    /** Per weight: the updates that wrote its devices (a write-and-verify, or at least one pulse). */
    int[] writes();

    /** Non-zero optimizer updates so far: what writing every update would have written. */
    long updates();
}
