package cimtrain.report;

/**
 * Charts are drawn with AWT, which on a machine without a display (a server, CI, a batch job) fails
 * unless it is told to run headless before it first starts; the report never shows a window.
 */
final class Headless {
    private Headless() {
    }

    static void ensure() {
        System.setProperty("java.awt.headless", "true");
    }
}
