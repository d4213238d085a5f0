package cimtrain.train;

/**
 * Hears what a run has to say: the core formats the lines, whoever started the run (the command line's
 * console listener, a test, a study) decides where they go. Every method defaults to silence.
 */
public interface RunListener {
    /** Says nothing. */
    RunListener SILENT = new RunListener() {
    };

    /** The run's input is accepted and its folder exists: lines held back until now may be said. */
    default void accepted() {
    }

    /** A line of progress ("epoch 3/13 ..."); the console prints it on stdout. */
    default void progress(String line) {
    }

    /** A whole document (a report's README) to show as it is; the console prints it on stdout. */
    default void report(String text) {
    }

    /** A note or warning about the run, without the "cimtrain: " the console puts before it on stderr. */
    default void note(String line) {
    }

    /** A live bar for a long loop (an epoch's steps); none by default. */
    default Progress bar(String task, long total) {
        return Progress.NONE;
    }
}
