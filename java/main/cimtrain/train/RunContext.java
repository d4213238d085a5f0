package cimtrain.train;

import cimtrain.backend.Backend;
import cimtrain.backend.Backends;

/**
 * Where and how runs compute and whom they tell: the backend factory of the user's choice, the CPU
 * worker threads its backends get, and the listener of the runs' lines.
 */
public record RunContext(Backends backends, int threads, RunListener listener) {
    /** A fresh backend for one run (its peak GPU memory is that run's alone). */
    public Backend newBackend() {
        return backends.create(threads);
    }
}
