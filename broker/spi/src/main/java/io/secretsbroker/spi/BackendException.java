package io.secretsbroker.spi;

import java.util.Objects;

/**
 * The one exception a backend throws. Its message is safe to show a caller: it names the secret and the
 * rule at fault, never a value, a credential or a raw SDK message. The cause may hold more and is only
 * ever logged.
 */
public class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public BackendException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public BackendException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** What went wrong, from the closed set. */
  public ErrorCode code() {
    return code;
  }

  /** Whether trying again later may succeed. */
  public boolean retryable() {
    return code.retryable();
  }

  /** The secret does not exist. */
  public static BackendException notFound(String name) {
    return new BackendException(ErrorCode.NOT_FOUND, "secret '" + name + "' not found");
  }

  /** The secret exists but not that version / stage. */
  public static BackendException notFound(SecretRef ref) {
    return new BackendException(ErrorCode.NOT_FOUND,
        "secret '" + ref.name() + "' has no version with " + ref.selector());
  }

  /** A check-and-set condition failed. */
  public static BackendException conflict(String message) {
    return new BackendException(ErrorCode.CONFLICT, message);
  }

  /** The backend is unreachable or failing. */
  public static BackendException unavailable(String message, Throwable cause) {
    return new BackendException(ErrorCode.UNAVAILABLE, message, cause);
  }

  /** The request cannot be served by this backend. */
  public static BackendException invalid(String message) {
    return new BackendException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Checks the CAS condition of {@code request} against the current version id (null when none). */
  public static void checkExpectedCurrent(WriteRequest request, String actualCurrent) {
    String expected = request.expectedCurrentVersion();
    if (expected == null) {
      return;
    }
    if (expected.isEmpty() && actualCurrent != null) {
      throw conflict("secret '" + request.name() + "' already exists (check-and-set expected none)");
    }
    if (!expected.isEmpty() && !expected.equals(actualCurrent)) {
      throw conflict("secret '" + request.name() + "' current version is "
          + (actualCurrent == null ? "none" : actualCurrent) + ", check-and-set expected " + expected);
    }
  }
}
