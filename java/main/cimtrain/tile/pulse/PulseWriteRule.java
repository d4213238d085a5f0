package cimtrain.tile.pulse;

import cimtrain.backend.Tensor;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Parameter;
import cimtrain.rng.Philox;
import cimtrain.tile.CrossbarLayer;
import cimtrain.tile.WriteCounting;

/**
 * The n-pulse variant of mixed-precision training (aihwkit's MixedPrecisionCompound; Nandakumar et al.
 * 2020) for a weight matrix on a crossbar: every optimizer update is accumulated per weight in chi; when
 * |chi| reaches eps, one nominal pulse step in weight units (pulse.granularity_us, by default step_us,
 * x the tile's scale), n = trunc(chi / eps) pulses (at most max_pulses_per_update) go through the device
 * response model and chi -= n * eps.
 * No write-and-verify: where the pulses leave the devices, with their nonlinearity and noise, is the
 * weight. There is no high-precision copy other than chi; the parameter's value (used by the digital
 * backward pass) is what the devices hold, (G+ - G-) x scale.
 *
 * <p>Which device of the differential pair a pulse goes to: a pulse that raises the weight is either a
 * SET (up pulse) of G+ or a RESET (down pulse) of G-; it goes to the one whose expected response (the
 * model's noise-free step, with that device's own step factor) moves the weight further, the RESET on a
 * tie (a pulse that lowers the weight is the mirror image). Why: aihwkit's default tile is one
 * bidirectional device whose weight zero sits at the device's symmetric point, where up and down steps
 * are equal. A pair under this rule behaves the same way: with soft bounds (or a saturating table) the
 * pair's common mode settles where the SET of one device and the RESET of the other balance, instead of
 * a weight near zero having a full step up and almost none down (which is what always RESETting a
 * device sitting near g_min would give). With symmetric linear steps the two moves are equal unless the
 * device to RESET is at g_min, so the rule is plain sign-magnitude (empty one device, then fill the
 * other), the mapping of {@link CrossbarLayer#program}; with asymmetric or spread steps the faster device
 * wins until a bound clips its move. aihwkit's other pair convention, the one-sided cell (SET only), drives
 * both devices to saturation and needs a periodic refresh that this crossbar has no model for. A write
 * controller that picks the device must know the two conductances; a read before the pulse is assumed.
 * Stuck devices are never chosen (they cannot move; {@link CrossbarLayer#setConductances} keeps them),
 * and a device whose step factor is 0 loses every choice.
 *
 * <p>Random streams (of the crossbar's seed): streamBase + 4 for the fixed device-to-device step
 * factors (drawn once: G+ of weight i is element i, its G- element i + size, like the crossbar's own
 * device numbering), streamBase + 5 for the cycle-to-cycle normals, one per pulse in the order the
 * pulses are applied, with a running counter.
 *
 * <p>Construct after {@link CrossbarLayer#programAll} (the tile scales set eps). The parameter's value
 * should start as {@link #heldWeights()}; every {@link #apply} writes it.
 */
public final class PulseWriteRule extends WriteCounting implements Parameter.UpdateRule {
    private final CrossbarLayer crossbar;
    private final PulseResponse response;
    private final HardwareSpec.PulseSpec spec;
    private final int size;
    private final float[] chi;
    private final float[] delta;
    private final float[] held;
    private final float[] deviceFactor;
    private final int[] pulses;
    private final long noiseStream;
    /** Expected moves closer than this (uS) are a tie: conductances are stored as floats, so an exact
     *  comparison would let rounding decide between two equal steps. */
    private final double tieTolerance;
    private long noiseCounter;
    private float[] noise = new float[16];

    /** The rule with the crossbar hardware's own pulse section. */
    public PulseWriteRule(CrossbarLayer crossbar) {
        this(crossbar, requirePulse(crossbar.hw));
    }

    /** The rule with a given pulse model on the crossbar's conductance range. */
    public PulseWriteRule(CrossbarLayer crossbar, HardwareSpec.PulseSpec spec) {
        super(crossbar.out * crossbar.k);
        this.crossbar = crossbar;
        this.spec = spec;
        this.response = PulseResponse.of(spec, crossbar.hw.device());
        this.size = crossbar.out * crossbar.k;
        this.chi = new float[size];
        this.delta = new float[size];
        this.held = crossbar.effectiveWeights();
        this.pulses = new int[size];
        this.noiseStream = crossbar.streamBase() + 5;
        this.tieTolerance = 1e-3 * spec.stepUs() + 4 * Math.ulp((float) response.highUs());
        // without a spread every factor is 1 and no array is kept (large layers)
        this.deviceFactor = spec.deviceStepSpread() > 0 ? new float[2 * size] : null;
        if (deviceFactor != null) {
            long stream = crossbar.streamBase() + 4;
            Philox.fillNormal(crossbar.seed(), stream, deviceFactor, 0, 0, deviceFactor.length, 0f, 1f);
            for (int d = 0; d < deviceFactor.length; d++) {
                // a step factor below 0 would reverse the pulse's direction; such a device just does not move
                deviceFactor[d] = (float) Math.max(0, 1 + spec.deviceStepSpread() * deviceFactor[d]);
            }
        }
    }

    private static HardwareSpec.PulseSpec requirePulse(HardwareSpec hw) {
        if (hw.pulse() == null) {
            throw new cimtrain.util.UserError("hardware " + hw.name() + " has no pulse section; mode mp-pulse needs one"
                    + " (see models/hardware/README.md, or use paper-table1-pulse)");
        }
        return hw.pulse();
    }

    /** One nominal pulse step of a weight, in weight units. */
    public float eps(int index) {
        return (float) (spec.granularityUs() * crossbar.scaleOf(index));
    }

    @Override
    public void apply(Parameter p, Tensor d) {
        p.backend().download(d, delta, size);
        int cap = spec.maxPulsesPerUpdate();
        for (int i = 0; i < size; i++) {
            if (delta[i] != 0f) {
                updates++;
                chi[i] += delta[i];
            }
            double eps = spec.granularityUs() * crossbar.scaleOf(i);
            if (!(eps > 0)) {
                throw new IllegalStateException("crossbar not programmed (tile scale 0): call programAll first");
            }
            double pulsesWanted = chi[i] / eps; // trunc towards zero below, like aihwkit's n = int(chi / eps)
            if (Math.abs(pulsesWanted) < 1) {
                continue;
            }
            long n = (long) pulsesWanted;
            if (cap > 0) {
                n = Math.max(-cap, Math.min(cap, n));
            }
            n = Math.max(-Integer.MAX_VALUE, Math.min(Integer.MAX_VALUE, n));
            pulse(i, (int) n);
            chi[i] = (float) (chi[i] - n * eps);
            writes[i]++;
            pulses[i] += (int) Math.abs(n);
        }
        p.write(held);
    }

    /** Sends |n| pulses to weight i's pair, raising the weight for n > 0 and lowering it for n < 0. */
    private void pulse(int i, int n) {
        int count = Math.abs(n);
        boolean noisy = spec.cycleNoise() > 0;
        if (noisy) {
            if (noise.length < count) {
                noise = new float[Math.max(count, 2 * noise.length)];
            }
            Philox.fillNormal(crossbar.seed(), noiseStream, noise, 0, noiseCounter, noiseCounter + count, 0f, 1f);
            noiseCounter += count;
        }
        // "set" is the device whose SET (up pulse) raises the weight in this direction, "reset" the one
        // whose RESET (down pulse) does: for n > 0, G+ and G-; for n < 0, G- and G+
        int setDev = n > 0 ? i : size + i;
        int resetDev = n > 0 ? size + i : i;
        double gSet = n > 0 ? crossbar.conductancePos(i) : crossbar.conductanceNeg(i);
        double gReset = n > 0 ? crossbar.conductanceNeg(i) : crossbar.conductancePos(i);
        boolean setStuck = crossbar.isStuck(setDev), resetStuck = crossbar.isStuck(resetDev);
        double fSet = factor(setDev), fReset = factor(resetDev);
        for (int q = 0; q < count; q++) {
            double z = noisy ? noise[q] : 0;
            // expected moves of the weight (in uS, >= 0 when the device moves the right way)
            double bySet = setStuck ? Double.NEGATIVE_INFINITY : response.pulse(gSet, true, fSet, 0) - gSet;
            double byReset = resetStuck ? Double.NEGATIVE_INFINITY : gReset - response.pulse(gReset, false, fReset, 0);
            if (!resetStuck && byReset >= bySet - tieTolerance) {
                gReset = response.pulse(gReset, false, fReset, z);
            } else if (!setStuck) {
                gSet = response.pulse(gSet, true, fSet, z);
            }
        }
        float pos = (float) (n > 0 ? gSet : gReset);
        float neg = (float) (n > 0 ? gReset : gSet);
        crossbar.setConductances(i, pos, neg);
        // read back: stuck devices keep their stuck value; same float arithmetic as effectiveWeights()
        held[i] = (crossbar.conductancePos(i) - crossbar.conductanceNeg(i)) * crossbar.scaleOf(i);
    }

    @Override
    protected void saveRule(cimtrain.io.Hdf5Group g) {
        g.putFloats("chi", chi);
        g.putInts("pulses", pulses);
        g.putScalar("noise_counter", noiseCounter);
    }

    /** Restores {@link #saveState}; the devices (restored with the crossbar) give the held weights. */
    @Override
    protected void loadRule(cimtrain.io.Hdf5Reader r, String path) {
        System.arraycopy(r.floats(path + "/chi", size), 0, chi, 0, size);
        System.arraycopy(r.ints(path + "/pulses", size), 0, pulses, 0, size);
        noiseCounter = r.longScalar(path + "/noise_counter");
        System.arraycopy(crossbar.effectiveWeights(), 0, held, 0, size);
    }

    /** Per weight: the pulses sent so far. */
    public int[] pulses() {
        return pulses;
    }

    /** The accumulated update chi of each weight, not yet sent as pulses (weight units). */
    public float[] accumulated() {
        return chi;
    }

    /** The weights the devices hold, (G+ - G-) x scale: the parameter's value. */
    public float[] heldWeights() {
        return held;
    }

    private double factor(int device) {
        return deviceFactor == null ? 1 : deviceFactor[device];
    }

    /** The fixed step factor of each device (G+ of weight i at i, its G- at i + out * k). */
    public float[] deviceFactors() {
        if (deviceFactor == null) {
            float[] ones = new float[2 * size];
            java.util.Arrays.fill(ones, 1f);
            return ones;
        }
        return deviceFactor;
    }

    /** The response model in use. */
    public PulseResponse response() {
        return response;
    }
}
