package cimtrain.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long loop. On a terminal it is a live bar on stdout (the stream the per-epoch lines
 * go to, so the two never overwrite each other); otherwise (a log file, a pipe, a Slurm job) it prints
 * nothing per step, and callers print one plain line per epoch instead.
 */
public interface Progress extends AutoCloseable {
    void step(long n, String extra);

    @Override
    void close();

    /** True when stdout is a terminal a person is watching. */
    static boolean interactive() {
        return System.console() != null && !"true".equals(System.getenv("CI"));
    }

    static Progress start(String task, long total) {
        if (!interactive()) {
            return new Progress() {
                @Override
                public void step(long n, String extra) {
                }

                @Override
                public void close() {
                }
            };
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
}
