package cimtrain.train;

/** What one epoch measured; one line of metrics.csv. */
public record EpochMetrics(int epoch, double lr, double trainLoss, double trainAccuracy, double testAccuracy,
                           double trainSeconds, double evalSeconds, double samplesPerSecond) {
    public static final String CSV_HEADER =
            "epoch,lr,train_loss,train_accuracy,test_accuracy,train_seconds,eval_seconds,train_samples_per_s";

    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%.6g,%.6f,%.6f,%.6f,%.3f,%.3f,%.1f",
                epoch, lr, trainLoss, trainAccuracy, testAccuracy, trainSeconds, evalSeconds, samplesPerSecond);
    }
}
