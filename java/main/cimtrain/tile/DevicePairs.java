package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.rng.Philox;

/**
 * The devices of one layer as fabricated and as programmed: a differential pair (G+, G-) per weight,
 * conductances in microsiemens on the host, and what fabrication fixed for good: each device's gain
 * (device-to-device spread) and whether it is stuck. Device numbering: G+ of weight i is device i, its
 * G- device i + size. Programming them is {@link WriteAndVerify}'s job (or a pulse rule's); copying them
 * to the backend, {@link DeviceSync}'s.
 */
final class DevicePairs {
    final int size;
    /** Programmed conductances, microsiemens; read by {@link DeviceSync}. */
    final float[] gPos;
    final float[] gNeg;
    private final float[] gainPos;
    private final float[] gainNeg;
    /** 0: programmable, 1: stuck at g_min, 2: stuck at g_max (by device number). */
    private final byte[] stuck;
    private final HardwareSpec.DeviceSpec dev;

    /**
     * Draws the chip as fabricated from two streams of its own: gains from the normals of
     * {@code fabricationStream}, stuck devices from the uniforms of {@code fabricationStream + 1}.
     */
    DevicePairs(HardwareSpec.DeviceSpec dev, int size, long seed, long fabricationStream) {
        this.dev = dev;
        this.size = size;
        gPos = new float[size];
        gNeg = new float[size];
        gainPos = new float[size];
        gainNeg = new float[size];
        stuck = new byte[2 * size];
        float[] z = new float[2 * size];
        Philox.fillNormal(seed, fabricationStream, z, 0, 0, z.length, 0f, 1f);
        float[] u = new float[2 * size];
        Philox.fillUniform(seed, fabricationStream + 1, u, 0, 0, u.length, 0f, 1f);
        for (int i = 0; i < size; i++) {
            gainPos[i] = (float) (1 + dev.deviceSpread() * z[i]);
            gainNeg[i] = (float) (1 + dev.deviceSpread() * z[size + i]);
        }
        for (int i = 0; i < 2 * size; i++) {
            if (u[i] < dev.stuckAtFraction()) {
                stuck[i] = (byte) (u[i] < dev.stuckAtFraction() / 2 ? 1 : 2);
            }
        }
    }

    boolean isStuck(int device) {
        return stuck[device] != 0;
    }

    /** The conductance a stuck device holds whatever is written. */
    float stuckValue(int device) {
        return (float) (stuck[device] == 1 ? dev.gMinUs() : dev.gMaxUs());
    }

    /** The device's fixed gain: what it reaches is its written conductance times this. */
    float gain(int device) {
        return device < size ? gainPos[device] : gainNeg[device - size];
    }

    /** Sets weight index's pair to the given conductances; stuck devices keep their stuck value. */
    void setKeepingStuck(int index, float pos, float neg) {
        gPos[index] = isStuck(index) ? stuckValue(index) : pos;
        gNeg[index] = isStuck(size + index) ? stuckValue(size + index) : neg;
    }

    /** G becomes G x factor for every programmable device (drift). */
    void scaleProgrammable(float factor) {
        for (int i = 0; i < size; i++) {
            if (stuck[i] == 0) {
                gPos[i] *= factor;
            }
            if (stuck[size + i] == 0) {
                gNeg[i] *= factor;
            }
        }
    }

    /** G+ - G- of weight index, microsiemens. */
    float difference(int index) {
        return gPos[index] - gNeg[index];
    }
}
