package cimtrain.train;

/**
 * Progress of a long loop, made by the run's {@link RunListener#bar}: the command line's is a live bar
 * on a terminal, and nothing per step elsewhere (callers print one plain line per epoch instead).
 */
public interface Progress extends AutoCloseable {
    /** Shows nothing. */
    Progress NONE = new Progress() {
        @Override
        public void step(long n, String extra) {
        }

        @Override
        public void close() {
        }
    };

    void step(long n, String extra);

    @Override
    void close();
}
