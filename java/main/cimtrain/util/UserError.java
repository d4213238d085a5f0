package cimtrain.util;

/**
 * A problem with what the user gave us (a file, a name, a value), as opposed to a bug.
 * The command line prints {@link #getMessage()} as one line on stderr and exits with status 2,
 * without a stack trace. Messages must name the offending thing (file, field, value).
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
