package cimtrain.nn;

import cimtrain.backend.Tensor;

/**
 * Something other than the digital weights that computes a layer's forward product, such as the
 * devices of a crossbar. The backward pass always uses the digital (high-precision) weights.
 */
public interface WeightReader {
    /**
     * y (out x n) = W x for inputs x (k x n, one input vector per column).
     *
     * @param pass        the network's forward pass number
     * @param firstColumn which input vector of the whole batch's pass column 0 of x is (replicas get
     *                    chunks of a batch)
     */
    void forward(Tensor x, int n, Tensor y, long pass, long firstColumn);
}
