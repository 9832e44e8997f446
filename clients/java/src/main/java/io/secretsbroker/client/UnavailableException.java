package io.secretsbroker.client;

/** The broker, or the backend behind it, could not be reached; retried calls gave up. */
public final class UnavailableException extends SecretsBrokerException {
  private static final long serialVersionUID = 1L;

  /** An exception carrying the broker's {@code serverMessage}. */
  public UnavailableException(String serverMessage) {
    this(serverMessage, null);
  }

  UnavailableException(String serverMessage, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, serverMessage, cause);
  }
}
