package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.rng.Philox;

/**
 * Programming one weight's device pair (the initial mapping, and every write of
 * {@link ThresholdWriteRule}): the target conductance from the weight and its tile's scale (sign and
 * magnitude: the weight's sign picks the device that carries it, the other stays at g_min), rounded to
 * the device's levels, then write-and-verify of each device: trials with programming error, accepting a
 * device within half a level spacing of its target, keeping the last trial otherwise. Programming error
 * comes from the layer's write stream, one normal per trial, in the order writes happen.
 */
final class WriteAndVerify {
    private final HardwareSpec hw;
    private final DevicePairs devices;
    private final TileScales scales;
    private final long seed;
    private final long stream;
    /** The write stream's next element: saved in checkpoints, so that a resumed run draws on. */
    long counter;
    /** The Philox block of the write stream last drawn from (see noise), its words and normals. */
    private long block = -1;
    private final int[] words = new int[4];
    private final float[] normals = new float[4];

    WriteAndVerify(HardwareSpec hw, DevicePairs devices, TileScales scales, long seed, long stream) {
        this.hw = hw;
        this.devices = devices;
        this.scales = scales;
        this.seed = seed;
        this.stream = stream;
    }

    /** Writes weight index towards target (weight units). */
    void program(int index, float target) {
        HardwareSpec.DeviceSpec dev = hw.device();
        // an ideal device is continuous and unbounded (so that ideal hardware reproduces fp32);
        // a real one saturates at the top of its range
        double g = Math.abs(target) / scales.of(index);
        if (!hw.ideal()) {
            g = Math.min(g, scales.range());
        }
        double spacing = dev.levelSpacingUs();
        if (dev.levels() > 1) {
            g = Math.round(g / spacing) * spacing;
        }
        double pos = dev.gMinUs() + (target >= 0 ? g : 0);
        double neg = dev.gMinUs() + (target >= 0 ? 0 : g);
        devices.gPos[index] = writeDevice(index, pos);
        devices.gNeg[index] = writeDevice(devices.size + index, neg);
    }

    private float writeDevice(int device, double target) {
        if (devices.isStuck(device)) {
            return devices.stuckValue(device);
        }
        HardwareSpec.DeviceSpec dev = hw.device();
        double sigma = dev.programmingError() * dev.levelSpacingUs();
        double reached = target;
        for (int trial = 0; trial < hw.write().maxTrials(); trial++) {
            reached = target;
            if (sigma > 0) {
                reached = target + sigma * noise(counter++);
            }
            if (Math.abs(reached - target) <= dev.levelSpacingUs() / 2) {
                break;
            }
        }
        if (!hw.ideal()) {
            reached = Math.min(Math.max(reached, dev.gMinUs()), dev.gMaxUs());
        }
        return (float) (reached * devices.gain(device));
    }

    /**
     * Element i of the write stream: {@code Philox.fillNormal(seed, stream, .., i, i + 1, 0f, 1f)}.
     * Writes draw one element after the other, and a Philox block holds four: the last block is kept
     * (one whole block per element had cost 3% of mp training).
     */
    private float noise(long i) {
        if (i >>> 2 != block) {
            block = i >>> 2;
            Philox.block(seed, stream, block, words);
            Philox.boxMuller(words, normals);
        }
        return 0f + 1f * normals[(int) i & 3];
    }
}
