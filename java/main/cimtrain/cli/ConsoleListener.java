package cimtrain.cli;

import cimtrain.train.Progress;
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

    @Override
    public void accepted() {
        if (backend != null) {
            backend.sayNotes();
        }
    }

    @Override
    public void progress(String line) {
        System.out.println(line);
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
