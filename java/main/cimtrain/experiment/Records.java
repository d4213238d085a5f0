package cimtrain.experiment;

import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The JSON records of run folders (summary.json, newchips.json, ...) as the experiments read them. */
final class Records {
    private Records() {
    }

    /** A number of a record; NaN where the record or the number is missing. */
    static double num(Map<String, Object> record, String key) {
        Object v = record == null ? null : record.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A JSON object file, or null when it does not exist; one line naming the file when it cannot be read. */
    static Map<String, Object> readOrNull(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UserError(file + ": unreadable (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
