package cimtrain.tile.pulse;

import cimtrain.hardware.HardwareSpec;

/**
 * How one device's conductance moves under one programming pulse. A model gives the expected
 * (noise-free) change of a nominal device; every model then applies the same two spreads, aihwkit's
 * convention for pulsed devices:
 * <ul>
 *   <li>device-to-device: the step is multiplied by the device's fixed factor (1 + spread * z_device,
 *       drawn once, see {@link PulseWriteRule});</li>
 *   <li>cycle-to-cycle: the step is multiplied by 1 + cycle_noise * z with a fresh standard normal z
 *       per pulse (noise relative to the step this pulse makes, so a saturated soft-bounds device
 *       stays put).</li>
 * </ul>
 * and clips the result to the model's conductance bounds [{@link #lowUs()}, {@link #highUs()}].
 */
public interface PulseResponse {
    /**
     * The conductance (uS) after one pulse.
     *
     * @param g            the device's conductance now, uS
     * @param up           a potentiating (SET, conductance up) pulse; false: depressing (RESET)
     * @param deviceFactor the device's fixed step factor (1 for a nominal device)
     * @param z            a standard normal draw for the cycle-to-cycle noise (0: noise-free)
     */
    double pulse(double g, boolean up, double deviceFactor, double z);

    /** The lowest conductance a device can reach, uS. */
    double lowUs();

    /** The highest conductance a device can reach, uS. */
    double highUs();

    /** The model a hardware file's pulse section describes, on its device's conductance range. */
    static PulseResponse of(HardwareSpec.PulseSpec spec, HardwareSpec.DeviceSpec device) {
        return switch (spec.model()) {
            case HardwareSpec.PulseSpec.LINEAR_STEP -> new LinearStep(device.gMinUs(), device.gMaxUs(), spec.stepUs(),
                    spec.asymmetry(), spec.cycleNoise());
            case HardwareSpec.PulseSpec.SOFT_BOUNDS -> new SoftBounds(device.gMinUs(), device.gMaxUs(), spec.stepUs(),
                    spec.asymmetry(), spec.cycleNoise());
            case HardwareSpec.PulseSpec.TABLE -> new TableResponse(spec.curve(), spec.cycleNoise());
            default -> throw new IllegalArgumentException("unknown pulse model " + spec.model());
        };
    }

    /** g moved by a nominal step scaled by the device factor and the cycle noise, clipped to [lo, hi]. */
    static double move(double g, double nominalStep, double deviceFactor, double cycleNoise, double z, double lo,
                       double hi) {
        double moved = g + nominalStep * deviceFactor * (1 + cycleNoise * z);
        return Math.min(Math.max(moved, lo), hi);
    }
}
