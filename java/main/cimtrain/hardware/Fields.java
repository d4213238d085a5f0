package cimtrain.hardware;

import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads one section of a hardware file: typed fields with defaults and ranges, and a clear one-line
 * error for anything missing, out of range, of the wrong type or unknown.
 */
final class Fields {
    private final JsonNode node;
    private final String where;
    private final Set<String> seen = new HashSet<>();

    Fields(JsonNode node, String where) {
        if (node != null && !node.isObject()) {
            throw new UserError(where + " must be a map of settings");
        }
        this.node = node;
        this.where = where;
    }

    private JsonNode get(String field) {
        seen.add(field);
        return node == null ? null : node.get(field);
    }

    double real(String field, double dflt, double min, double max) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw new UserError(where + "." + field + " must be a number in [" + trim(min) + ", " + trim(max) + "], got " + v);
        }
        return v.asDouble();
    }

    /** A field whose range is a {@link Setting}, shared with the command line's override of it. */
    double real(Setting s, double dflt) {
        JsonNode v = get(s.field());
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || (s.whole() && !v.isIntegralNumber())) {
            throw new UserError(where + "." + s.field() + " must be " + s.range() + ", got " + v);
        }
        return s.check(where + "." + s.field(), v.asDouble());
    }

    int integer(String field, int dflt, int min, int max) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isInt() || v.asInt() < min || v.asInt() > max) {
            throw new UserError(where + "." + field + " must be a whole number in [" + min + ", " + max + "], got " + v);
        }
        return v.asInt();
    }

    boolean bool(String field, boolean dflt) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new UserError(where + "." + field + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    String choice(String field, String dflt, List<String> allowed) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual() || !allowed.contains(v.asText())) {
            throw new UserError(where + "." + field + " must be one of " + allowed + ", got " + v);
        }
        return v.asText();
    }

    String text(String field, String dflt) {
        JsonNode v = get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw new UserError(where + "." + field + " must be text, got " + v);
        }
        return v.asText();
    }

    JsonNode section(String field) {
        return get(field);
    }

    /** Call last: any field not asked for is a mistake (a typo would otherwise be silently ignored). */
    void rejectUnknown() {
        if (node == null) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!seen.contains(f)) {
                throw new UserError(where + ": unknown field '" + f + "' (known: " + String.join(", ", new java.util.TreeSet<>(seen)) + ")");
            }
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
