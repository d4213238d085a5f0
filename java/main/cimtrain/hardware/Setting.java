package cimtrain.hardware;

import cimtrain.util.UserError;

/**
 * One hardware setting's range, checked in one place: a hardware file's field (and so a sweep plan's
 * {@code hardware.*} axis, which becomes one), and the command line's override of it, go through the
 * same {@link #check} with the same message.
 *
 * @param field the field in its section of a hardware file
 * @param whole true for whole numbers
 */
public record Setting(String field, double min, double max, boolean whole) {
    public static final Setting READ_NOISE = new Setting("read_noise", 0, 100, false);
    public static final Setting PROGRAMMING_ERROR = new Setting("programming_error", 0, 100, false);
    public static final Setting DEVICE_SPREAD = new Setting("device_spread", 0, 10, false);
    public static final Setting STUCK_AT_FRACTION = new Setting("stuck_at_fraction", 0, 1, false);
    public static final Setting ADC_BITS = new Setting("bits", 0, 24, true);

    /**
     * Returns {@code v} when it lies in range (NaN never does).
     *
     * @param name what the user called it: "hardware X: device.read_noise", "--read-noise"
     */
    public double check(String name, double v) {
        String problem = problem(v);
        if (problem != null) {
            throw new UserError(name + problem);
        }
        return v;
    }

    /** What is wrong with {@code v} (" must be a number in [0, 1], got 2"), or null when it lies in range. */
    public String problem(double v) {
        if (!(v >= min && v <= max) || (whole && v != Math.rint(v))) {
            return " must be " + range() + ", got " + show(v);
        }
        return null;
    }

    /** "a number in [0, 100]" or "a whole number in [0, 24]". */
    public String range() {
        return (whole ? "a whole number" : "a number") + " in [" + show(min) + ", " + show(max) + "]";
    }

    static String show(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
