package io.secretsbroker.spi;

/** The closed set of failures a backend may report. */
public enum ErrorCode {
  /** The secret or version does not exist (or was deleted). */
  NOT_FOUND(false),
  /** A check-and-set condition did not hold, or the write raced with another. */
  CONFLICT(false),
  /** The request is malformed for this backend (e.g. a name it cannot store). */
  INVALID_ARGUMENT(false),
  /** The backend refused the broker's own credentials. */
  PERMISSION_DENIED(false),
  /** The backend is throttling; worth retrying later. */
  RESOURCE_EXHAUSTED(true),
  /** The backend cannot be reached, timed out or answered 5xx; worth retrying. */
  UNAVAILABLE(true),
  /** Anything else: a bug or an answer the broker does not understand. */
  INTERNAL(false);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether the same call may succeed if tried again later. */
  public boolean retryable() {
    return retryable;
  }
}
