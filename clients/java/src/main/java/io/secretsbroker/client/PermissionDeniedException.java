package io.secretsbroker.client;

/** The caller's policies do not grant the capability on that path. */
public final class PermissionDeniedException extends SecretsBrokerException {
  private static final long serialVersionUID = 1L;

  /** An exception carrying the broker's {@code serverMessage}. */
  public PermissionDeniedException(String serverMessage) {
    this(serverMessage, null);
  }

  PermissionDeniedException(String serverMessage, Throwable cause) {
    super(ErrorCode.PERMISSION_DENIED, serverMessage, cause);
  }
}
