package cimtrain.rng;

import java.util.Arrays;

/**
 * Single-thread timing of Philox.fillNormal and fillUniform over long ranges; not a test (surefire runs
 * only *Test classes). The first rounds include the JIT's warm-up (see Philox.WARM_UP_AFTER), so it
 * reports the median and the best of the later rounds. Run after {@code mvn -o test-compile}:
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes cimtrain.rng.PhiloxBench [n] [reps]
 * </pre>
 */
public final class PhiloxBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int rounds = 16, skip = 8;
        float[] out = new float[n];
        double sink = 0;
        double[] normal = new double[rounds], uniform = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Philox.fillNormal(42, r, out, 0, 0, n, 0f, 1f);
                sink += out[r % n];
            }
            long t1 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Philox.fillUniform(42, r, out, 0, 0, n, -1f, 1f);
                sink += out[r % n];
            }
            long t2 = System.nanoTime();
            normal[round] = (t1 - t0) / (double) n / reps;
            uniform[round] = (t2 - t1) / (double) n / reps;
            System.out.printf("round %d: fillNormal %.2f ns/number, fillUniform %.2f ns/number%n",
                    round, normal[round], uniform[round]);
        }
        double[] nl = Arrays.copyOfRange(normal, skip, rounds), ul = Arrays.copyOfRange(uniform, skip, rounds);
        Arrays.sort(nl);
        Arrays.sort(ul);
        System.out.printf("rounds %d..%d, ranges of %d: fillNormal median %.2f best %.2f ns/number, "
                        + "fillUniform median %.2f best %.2f ns/number (sink %s)%n",
                skip, rounds - 1, n, nl[nl.length / 2], nl[0], ul[ul.length / 2], ul[0], sink);
    }
}
