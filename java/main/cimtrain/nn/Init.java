package cimtrain.nn;

/**
 * Seeds parameter initialisation: each parameter draws from its own Philox stream, numbered in build
 * order, so the same model file and seed give the same weights on any backend.
 */
public final class Init {
    public final long seed;
    private long nextStream = 1;

    public Init(long seed) {
        this.seed = seed;
    }

    public long nextStream() {
        return nextStream++;
    }
}
