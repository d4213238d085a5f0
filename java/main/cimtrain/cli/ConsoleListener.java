package cimtrain.cli;

import cimtrain.options.BackendOption;
import cimtrain.train.Progress;
import cimtrain.train.RunContext;
import cimtrain.train.RunListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A run's lines on the console: progress on stdout, notes on stderr after "cimtrain: ", and once the
 * run's input is accepted, the backend choice's held line. On a terminal each epoch gets a live bar on
 * stdout (the stream the per-epoch lines go to, so the two never overwrite each other).
 */
final class ConsoleListener implements RunListener {
    private final BackendOption backend;

    /** @param backend whose held line is said when the input is accepted (null: none) */
    ConsoleListener(BackendOption backend) {
        this.backend = backend;
    }

    /** Runs on the backend chosen with {@code --backend} and {@code threads} workers, their lines on the console. */
    static RunContext context(BackendOption backend, int threads) {
        return new RunContext(backend.chosen(), threads, new ConsoleListener(backend));
    }

    /** Prints the backend choice's held line, if any, on stderr. */
    static void sayNote(BackendOption backend) {
        String line = backend.takeNote();
        if (line != null) {
            System.err.println(line);
        }
    }

    @Override
    public void accepted() {
        if (backend != null) {
            sayNote(backend);
        }
    }

    @Override
    public void progress(String line) {
        System.out.println(line);
    }

    @Override
    public void report(String text) {
        System.out.print(text);
    }

    @Override
    public void note(String line) {
        System.err.println("cimtrain: " + line);
    }

    @Override
    public Progress bar(String task, long total) {
        if (!interactive()) {
            return Progress.NONE;
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.out)).build();
        return new Progress() {
            @Override
            public void step(long n, String extra) {
                bar.stepBy(n);
                if (extra != null) {
                    bar.setExtraMessage(" " + extra);
                }
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    /** True when stdout is a terminal a person is watching. */
    private static boolean interactive() {
        return System.console() != null && !"true".equals(System.getenv("CI"));
    }
}
