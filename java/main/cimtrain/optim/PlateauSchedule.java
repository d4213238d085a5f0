package cimtrain.optim;

/**
 * Multiplies the rate by {@code factor} after {@code patience} epochs without a new best test
 * accuracy (the seed paper's recipe: halve after 5 epochs without gain).
 */
public final class PlateauSchedule implements Schedule {
    private final int patience;
    private final float factor;
    private float lr;
    private double best = Double.NEGATIVE_INFINITY;
    private int bad;

    public PlateauSchedule(float base, int patience, float factor) {
        this.lr = base;
        this.patience = patience;
        this.factor = factor;
    }

    @Override
    public float lr(int epoch, int stepInEpoch, int stepsPerEpoch) {
        return lr;
    }

    @Override
    public void endEpoch(double testAccuracy) {
        if (testAccuracy > best) {
            best = testAccuracy;
            bad = 0;
        } else if (++bad >= patience) {
            lr *= factor;
            bad = 0;
        }
    }

    @Override
    public void saveState(cimtrain.io.Hdf5Group g) {
        g.putScalar("lr", lr);
        g.putScalar("best", best);
        g.putScalar("bad", bad);
    }

    @Override
    public void loadState(cimtrain.io.Hdf5Reader r, String path) {
        lr = (float) r.doubleScalar(path + "/lr");
        best = r.doubleScalar(path + "/best");
        bad = (int) r.longScalar(path + "/bad");
    }

    @Override
    public String describe() {
        return "plateau(patience=" + patience + ", factor=" + factor + ")";
    }
}
