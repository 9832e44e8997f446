package io.secretsbroker.client;

/**
 * The value of one secret, kept up to date by {@link SecretsClient#subscribe}: refreshed on the broker's
 * updated, rotated, revoked and deleted events, and polled every cache TTL while the event stream is broken.
 * Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  /**
   * The latest value.
   *
   * @throws SecretsBrokerException if the secret is no longer readable: its current version was revoked ({@link
   *     FailedPreconditionException}) or it was deleted ({@link SecretNotFoundException})
   */
  Secret current();

  /** Stops watching and polling. Idempotent. */
  @Override
  void close();
}
