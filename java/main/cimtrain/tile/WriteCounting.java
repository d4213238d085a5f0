package cimtrain.tile;

/**
 * A crossbar write rule's counts and state: what it counts, so that {@link Chip#writeStatistics} can report any rule the same
 * way (write-and-verify threshold writes, n-pulse writes).
 */
public interface WriteCounting {
    /** Per weight: the updates that wrote its devices (a write-and-verify, or at least one pulse). */
    int[] writes();

    /** Non-zero optimizer updates so far: what writing every update would have written. */
    long updates();

    /** Saves the rule's state (accumulators, counters) for a checkpoint. */
    void saveState(cimtrain.io.Hdf5Group g);

    /** Restores {@link #saveState}. */
    void loadState(cimtrain.io.Hdf5Reader r, String path);
}
