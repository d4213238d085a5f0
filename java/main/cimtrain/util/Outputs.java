package cimtrain.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on the files a command will write, made before it reads or writes anything. */
public final class Outputs {
    private Outputs() {
    }

    /**
     * Refuses an output that is one of the command's inputs (the same path, or another name of the same
     * file): writing it would destroy what is being read.
     *
     * @param outOption the output's option, for the message ("--weights")
     * @param inOption  the input's option ("--checkpoint")
     */
    public static void notAnInput(Path out, String outOption, Path in, String inOption) {
        if (out == null || in == null) {
            return;
        }
        if (same(out, in)) {
            throw new UserError(outOption + " " + out + " is the " + inOption + " file it reads; write it elsewhere");
        }
    }

    /** True when both paths name the same file (or would, once created). */
    public static boolean same(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
