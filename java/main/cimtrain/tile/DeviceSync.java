package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

/**
 * The backend's copy of a layer's devices (G+, G-, the tiles' scale factors), which reads use, kept in
 * step with the host's: what changed is noted as it changes, and sent once before the next read
 * (whichever replica asks first). Everything after a new mapping, drift or a restore; otherwise only
 * the device pairs written since the last sync (a step writes few) and the scale factors when they moved.
 */
final class DeviceSync {
    private final Backend backend;
    private final DevicePairs devices;
    private final TileScales scales;
    final Tensor gPos;
    final Tensor gNeg;
    final Tensor tileScale;
    /** Every device changed on the host since the last sync. */
    private boolean dirty = true;
    /** Only the tiles' scale factors changed. */
    private boolean scalesDirty;
    /** Weights written since the last sync. */
    private int[] pending = new int[16];
    private int pendingCount;
    private float[] pendingValues = new float[16];

    DeviceSync(Backend backend, DevicePairs devices, TileScales scales) {
        this.backend = backend;
        this.devices = devices;
        this.scales = scales;
        gPos = backend.allocate(devices.size);
        gNeg = backend.allocate(devices.size);
        tileScale = backend.allocate(scales.tiles());
    }

    /** Every device (and scale) changed. */
    synchronized void allChanged() {
        dirty = true;
    }

    synchronized void scalesChanged() {
        scalesDirty = true;
    }

    /** Weight index's devices changed. */
    synchronized void changed(int index) {
        if (dirty) {
            return;
        }
        if (pendingCount == pending.length) {
            if (2 * pendingCount > devices.size / 4) {
                dirty = true; // a large part of the layer: one whole upload is cheaper
                pendingCount = 0;
                return;
            }
            pending = java.util.Arrays.copyOf(pending, 2 * pendingCount);
        }
        pending[pendingCount++] = index;
    }

    /** Sends what changed since the last sync. */
    synchronized void sync() {
        if (dirty) {
            backend.upload(devices.gPos, gPos, devices.size);
            backend.upload(devices.gNeg, gNeg, devices.size);
            backend.upload(scales.scale, tileScale, scales.tiles());
            dirty = false;
            scalesDirty = false;
            pendingCount = 0;
            return;
        }
        if (pendingCount > 0) {
            scatterPending(devices.gPos, gPos);
            scatterPending(devices.gNeg, gNeg);
            pendingCount = 0;
        }
        if (scalesDirty) {
            backend.upload(scales.scale, tileScale, scales.tiles());
            scalesDirty = false;
        }
    }

    private void scatterPending(float[] host, Tensor device) {
        if (pendingValues.length < pendingCount) {
            pendingValues = new float[pending.length];
        }
        for (int j = 0; j < pendingCount; j++) {
            pendingValues[j] = host[pending[j]];
        }
        backend.scatter(pending, pendingValues, pendingCount, device);
    }
}
