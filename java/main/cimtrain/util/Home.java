package cimtrain.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the project's data folders (models/, datasets/, eval-reports/). The launcher sets the system
 * property {@code cimtrain.home}; otherwise the current directory is used. Files shipped with the
 * program are also packaged in the jar, so a bare jar (the GPU bundle) finds them as resources.
 */
public final class Home {
    private Home() {
    }

    public static Path root() {
        String prop = System.getProperty("cimtrain.home");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        String env = System.getenv("CIMTRAIN_HOME");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get("").toAbsolutePath();
    }

    /**
     * A path as records write it: relative to the project folder when it lies inside it (so that a run
     * folder's files name no path of the machine they were made on), else as given.
     */
    public static String recorded(Path p) {
        Path abs = p.toAbsolutePath().normalize(), home = root().toAbsolutePath().normalize();
        return abs.startsWith(home) && !abs.equals(home) ? home.relativize(abs).toString() : p.toString();
    }

    /**
     * Opens a shipped file by its project-relative path (e.g. "models/networks/vgg8.yaml"): from the
     * project folder when it exists there, else from the jar. Returns null when neither has it.
     */
    public static InputStream openShipped(String relative) throws IOException {
        Path p = root().resolve(relative);
        if (Files.isRegularFile(p)) {
            return Files.newInputStream(p);
        }
        return Home.class.getResourceAsStream("/" + relative);
    }
}
