package io.secretsbroker.core;

import io.secretsbroker.spi.BackendException;
import java.util.Objects;

/**
 * A request failure with a message that is safe to send to the caller: it names the field, rule, capability
 * or secret at fault, never a value, a token or an internal detail. Internal detail travels in the cause.
 */
public final class BrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Failure failure;

  public BrokerException(Failure failure, String message) {
    this(failure, message, null);
  }

  public BrokerException(Failure failure, String message, Throwable cause) {
    super(message, cause, false, cause != null);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  /** Why the request failed. */
  public Failure failure() {
    return failure;
  }

  /** An {@link Failure#INVALID_ARGUMENT} naming {@code field}. */
  public static BrokerException invalid(String field, String rule) {
    return new BrokerException(Failure.INVALID_ARGUMENT, field + ": " + rule);
  }

  /**
   * Translates a backend failure, keeping its (already safe) message and prefixing the mount prefix to the
   * names it mentions is left to the backend: backend messages name the relative secret name.
   */
  public static BrokerException from(BackendException e, String mount) {
    Failure f = switch (e.code()) {
      case NOT_FOUND -> Failure.NOT_FOUND;
      case CONFLICT -> Failure.FAILED_PRECONDITION;
      case INVALID_ARGUMENT -> Failure.INVALID_ARGUMENT;
      case PERMISSION_DENIED -> Failure.UNAVAILABLE; // the broker's own credentials were refused
      case RESOURCE_EXHAUSTED -> Failure.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Failure.UNAVAILABLE;
      case INTERNAL -> Failure.INTERNAL;
    };
    String where = mount.isEmpty() ? "" : " (mount '" + mount + "')";
    String message = switch (e.code()) {
      case PERMISSION_DENIED -> "backend refused the broker's credentials" + where;
      case INTERNAL -> "backend error" + where;
      default -> e.getMessage() + where;
    };
    return new BrokerException(f, message, e);
  }
}
