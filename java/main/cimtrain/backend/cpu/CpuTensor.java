package cimtrain.backend.cpu;

import cimtrain.backend.Tensor;

/** A tensor in the Java heap. */
final class CpuTensor extends Tensor {
    final float[] data;

    CpuTensor(int size) {
        super(size);
        this.data = new float[size];
    }
}
