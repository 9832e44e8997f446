package io.secretsbroker.audit;

/**
 * An audit record could not be made durable (journal closed, queue full, write or fsync failed). The request it
 * records must fail: no response leaves without its record. The message is safe to show a caller.
 */
public final class AuditUnavailableException extends RuntimeException {
  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
