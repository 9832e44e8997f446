package io.secretsbroker.client;

/** The call was refused because of the secret's state: a check-and-set mismatch, or a revoked version. */
public final class FailedPreconditionException extends SecretsBrokerException {
  private static final long serialVersionUID = 1L;

  /** An exception carrying the broker's {@code serverMessage}. */
  public FailedPreconditionException(String serverMessage) {
    this(serverMessage, null);
  }

  FailedPreconditionException(String serverMessage, Throwable cause) {
    super(ErrorCode.FAILED_PRECONDITION, serverMessage, cause);
  }
}
