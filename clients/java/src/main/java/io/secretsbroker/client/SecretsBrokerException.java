package io.secretsbroker.client;

import io.grpc.Status;
import java.util.Objects;

/**
 * A call to the broker failed. The message is {@code CODE: server message}; it never contains a secret value
 * or a token. Subclasses name the codes callers usually handle.
 */
public class SecretsBrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String serverMessage;

  /** An exception with {@code code} and the broker's {@code serverMessage} (empty if there was none). */
  public SecretsBrokerException(ErrorCode code, String serverMessage) {
    this(code, serverMessage, null);
  }

  SecretsBrokerException(ErrorCode code, String serverMessage, Throwable cause) {
    super(code + ": " + (serverMessage == null ? "" : serverMessage), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.serverMessage = serverMessage == null ? "" : serverMessage;
  }

  /** The status code. */
  public ErrorCode code() {
    return code;
  }

  /**
   * The broker's message (empty if none), which names the field or rule at fault; for failures detected by the
   * client (e.g. connection refused) the transport's description of the failure.
   */
  public String serverMessage() {
    return serverMessage;
  }

  /** The exception for a gRPC {@code status}: the subclass for its code, else this class. */
  static SecretsBrokerException of(Status status, Throwable cause) {
    String message = status.getDescription();
    Throwable local = status.getCause();
    if (local != null && local.getMessage() != null) {
      message = (message == null ? "" : message + ": ") + local.getMessage();
    }
    return of(ErrorCode.fromName(status.getCode().name()), message, cause);
  }

  static SecretsBrokerException of(ErrorCode code, String message, Throwable cause) {
    return switch (code) {
      case NOT_FOUND -> new SecretNotFoundException(message, cause);
      case PERMISSION_DENIED -> new PermissionDeniedException(message, cause);
      case UNAUTHENTICATED -> new UnauthenticatedException(message, cause);
      case FAILED_PRECONDITION -> new FailedPreconditionException(message, cause);
      case UNAVAILABLE -> new UnavailableException(message, cause);
      default -> new SecretsBrokerException(code, message, cause);
    };
  }
}
