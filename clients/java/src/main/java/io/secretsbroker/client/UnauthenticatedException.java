package io.secretsbroker.client;

/** The broker did not accept the caller's token or certificate (missing, unknown, expired or revoked). */
public final class UnauthenticatedException extends SecretsBrokerException {
  private static final long serialVersionUID = 1L;

  /** An exception carrying the broker's {@code serverMessage}. */
  public UnauthenticatedException(String serverMessage) {
    this(serverMessage, null);
  }

  UnauthenticatedException(String serverMessage, Throwable cause) {
    super(ErrorCode.UNAUTHENTICATED, serverMessage, cause);
  }
}
