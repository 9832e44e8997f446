package io.secretsbroker.policy;

/**
 * A set of policies could not be loaded: a folder or file could not be read, a file name is not a
 * valid policy name, or (as the subclass {@link PolicyParseException}) a file does not parse.
 *
 * <p>Messages name the file and the rule at fault; they never contain secret values.
 */
public class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the file and the rule at fault. */
  public PolicyException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause (for example an I/O error). */
  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
