package io.secretsbroker.client;

/** A running {@link SecretsClient#watch watch}. Thread-safe. */
public interface Watch extends AutoCloseable {
  /** The id of the last event received, from which a re-opened stream resumes; 0 before the first. */
  long lastEventId();

  /** Whether the watch is still running (it was neither closed nor stopped by the broker). */
  boolean isActive();

  /** Ends the stream and any pending reconnect. Idempotent. */
  @Override
  void close();
}
