package cimtrain.train;

import cimtrain.backend.Backend;
import cimtrain.data.Dataset;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;
import cimtrain.optim.AdamW;
import cimtrain.optim.CosineSchedule;
import cimtrain.optim.Optimizer;
import cimtrain.optim.PlateauSchedule;
import cimtrain.optim.Schedule;
import cimtrain.optim.Sgd;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** The training loop: seeded shuffling, minibatch steps, evaluation after every epoch. */
public final class Trainer {
    private final TrainConfig config;
    private final Network net;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final RunListener listener;

    /** A trainer that shows no progress (its state is what is wanted, e.g. for a checkpoint). */
    public Trainer(TrainConfig config, Network net) {
        this(config, net, RunListener.SILENT);
    }

    /** @param listener shows each epoch's progress bar */
    public Trainer(TrainConfig config, Network net, RunListener listener) {
        this.config = config;
        this.net = net;
        this.listener = listener;
        Backend be = net.backend();
        this.optimizer = config.optimizer().equals("sgd")
                ? new Sgd(be, config.momentum(), config.weightDecay())
                : new AdamW(be, 0.9f, 0.999f, 1e-8f, config.weightDecay());
        this.schedule = switch (config.schedule()) {
            case "plateau" -> new PlateauSchedule(config.lr(), config.patience(), 0.5f);
            case "cosine" -> new CosineSchedule(config.lr(), config.epochs());
            default -> Schedule.constant(config.lr());
        };
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Schedule schedule() {
        return schedule;
    }

    /**
     * The order of the training set in an epoch: a Fisher-Yates shuffle seeded by (seed, epoch) only,
     * so a run can be repeated (or resumed) exactly.
     */
    public static int[] epochOrder(int n, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * At least {@code count} sample indices for an epoch of a fixed number of steps: consecutive
     * shuffles (passes) of the training set, each seeded by (seed, epoch, pass).
     */
    static int[] passes(int n, long seed, int epoch, int count) {
        int[] out = new int[count];
        for (int filled = 0, pass = 0; filled < count; pass++) {
            int[] order = epochOrder(n, seed ^ (0x5DEECE66DL * (pass + 1)), epoch);
            int take = Math.min(n, count - filled);
            System.arraycopy(order, 0, out, filled, take);
            filled += take;
        }
        return out;
    }

    /** Trains for all epochs, calling {@code onEpoch} after each. */
    public List<EpochMetrics> run(Dataset train, Dataset test, Consumer<EpochMetrics> onEpoch) {
        return run(train, test, List.of(), onEpoch);
    }

    /**
     * Trains the epochs after those in {@code done} (a resumed run: the network, optimizer and schedule
     * restored to their state after them), calling {@code onEpoch} after each.
     *
     * @return the metrics of every epoch, {@code done}'s included
     */
    public List<EpochMetrics> run(Dataset train, Dataset test, List<EpochMetrics> done, Consumer<EpochMetrics> onEpoch) {
        List<EpochMetrics> history = new ArrayList<>(done);
        List<Parameter> params = net.parameters();
        int b = config.batch();
        float[] x = new float[b * train.imageSize()];
        int[] y = new int[b];
        int[] pred = new int[b];
        int stepsPerEpoch = config.stepsPerEpoch() > 0 ? config.stepsPerEpoch() : (train.size() + b - 1) / b;
        for (int epoch = done.size(); epoch < config.epochs(); epoch++) {
            int[] order = config.stepsPerEpoch() > 0
                    ? passes(train.size(), config.seed(), epoch, stepsPerEpoch * b)
                    : epochOrder(train.size(), config.seed(), epoch);
            int samples = Math.min(order.length, stepsPerEpoch * b);
            double lossSum = 0;
            long correct = 0;
            float lr = 0;
            long start = System.nanoTime();
            try (Progress bar = listener.bar("epoch " + (epoch + 1) + "/" + config.epochs(), samples)) {
                for (int s = 0; s < stepsPerEpoch; s++) {
                    int from = s * b;
                    int n = Math.min(b, samples - from);
                    train.copyBatch(order, from, n, x, y);
                    net.setInput(x, n);
                    double loss = net.forwardBackward(y, n, pred);
                    lr = schedule.lr(epoch, s, stepsPerEpoch);
                    optimizer.step(params, lr);
                    lossSum += loss * n;
                    for (int i = 0; i < n; i++) {
                        if (pred[i] == y[i]) {
                            correct++;
                        }
                    }
                    if (!Double.isFinite(loss)) {
                        throw new TrainingDiverged("loss became " + loss + " in epoch " + (epoch + 1)
                                + " step " + (s + 1) + " (try a smaller --lr)");
                    }
                    bar.step(n, String.format("loss %.4f", loss));
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            long evalStart = System.nanoTime();
            double testAcc = evaluate(test);
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            schedule.endEpoch(testAcc);
            EpochMetrics m = new EpochMetrics(epoch + 1, lr, lossSum / samples, (double) correct / samples,
                    testAcc, trainSeconds, evalSeconds, samples / trainSeconds);
            history.add(m);
            onEpoch.accept(m);
        }
        return history;
    }

    /** Test accuracy in evaluation mode (batch-norm running statistics). */
    public double evaluate(Dataset test) {
        return evaluate(net, test, config.evalBatch());
    }

    /** Test accuracy of a network in evaluation mode, in batches of at most {@code evalBatch}. */
    public static double evaluate(Network net, Dataset test, int evalBatch) {
        int b = Math.min(evalBatch, net.capacity);
        float[] x = new float[b * test.imageSize()];
        int[] y = new int[b];
        int[] pred = new int[b];
        int[] order = new int[test.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        long correct = 0;
        for (int from = 0; from < test.size(); from += b) {
            int n = Math.min(b, test.size() - from);
            test.copyBatch(order, from, n, x, y);
            net.setInput(x, n);
            net.predict(n, pred);
            for (int i = 0; i < n; i++) {
                if (pred[i] == y[i]) {
                    correct++;
                }
            }
        }
        return (double) correct / test.size();
    }

    /** Training produced NaN or infinity. */
    public static final class TrainingDiverged extends RuntimeException {
        public TrainingDiverged(String message) {
            super(message);
        }
    }
}
