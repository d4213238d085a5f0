package cimtrain.tile;

import cimtrain.io.Hdf5Group;
import cimtrain.io.Hdf5Reader;

/**
 * What every crossbar write rule counts, so that {@link Chip#writeStatistics} reports any rule the same
 * way (write-and-verify threshold writes, n-pulse writes), and the checkpoint of those counts; each rule
 * adds its own state ({@link #saveRule}, {@link #loadRule}).
 */
public abstract class WriteCounting {
    /** Per weight: the updates that wrote its devices (a write-and-verify, or at least one pulse). */
    protected final int[] writes;
    /** Non-zero optimizer updates so far: what writing every update would have written. */
    protected long updates;

    protected WriteCounting(int weights) {
        this.writes = new int[weights];
    }

    public final int[] writes() {
        return writes;
    }

    public final long updates() {
        return updates;
    }

    /** Saves the counts and the rule's own state (accumulators, counters) for a checkpoint. */
    public final void saveState(Hdf5Group g) {
        g.putInts("writes", writes);
        g.putScalar("updates", updates);
        saveRule(g);
    }

    /** Restores {@link #saveState}. */
    public final void loadState(Hdf5Reader r, String path) {
        System.arraycopy(r.ints(path + "/writes", writes.length), 0, writes, 0, writes.length);
        updates = r.longScalar(path + "/updates");
        loadRule(r, path);
    }

    protected abstract void saveRule(Hdf5Group g);

    protected abstract void loadRule(Hdf5Reader r, String path);
}
