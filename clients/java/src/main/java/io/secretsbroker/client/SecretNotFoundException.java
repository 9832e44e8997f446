package io.secretsbroker.client;

/** The secret, or the version or stage asked for, does not exist. */
public final class SecretNotFoundException extends SecretsBrokerException {
  private static final long serialVersionUID = 1L;

  /** An exception carrying the broker's {@code serverMessage}. */
  public SecretNotFoundException(String serverMessage) {
    this(serverMessage, null);
  }

  SecretNotFoundException(String serverMessage, Throwable cause) {
    super(ErrorCode.NOT_FOUND, serverMessage, cause);
  }
}
