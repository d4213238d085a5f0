package cimtrain.backend;

/**
 * A flat float buffer owned by one {@link Backend}. Shapes are tracked by the layers that use it
 * (llm.c style): every backend operation takes explicit sizes, so a buffer may be larger than what an
 * operation touches, and one buffer can be reused for batches of different sizes.
 * Only the backend that made a tensor may look inside it.
 */
public abstract class Tensor {
    private final long size;

    protected Tensor(long size) {
        this.size = size;
    }

    /** Number of float elements this buffer holds. */
    public final long size() {
        return size;
    }
}
