package io.secretsbroker.client;

/**
 * Receives the events of a {@link SecretsClient#watch watch}. Methods are called from gRPC or client threads,
 * one at a time for a given watch; they should return quickly. An exception thrown by a method is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface WatchListener {
  /** A secret changed. Heartbeats are not passed on. */
  void onEvent(SecretEvent event);

  /** The stream delivered its first message after being opened or re-opened. */
  default void onConnected() {}

  /** The stream broke; it will be re-opened after a jittered backoff, resuming after the last event seen. */
  default void onDisconnected(SecretsBrokerException cause) {}

  /**
   * The watch ended for good because the broker refused it (e.g. {@code PERMISSION_DENIED},
   * {@code UNAUTHENTICATED}, {@code INVALID_ARGUMENT}); it will not be re-opened.
   */
  default void onStopped(SecretsBrokerException cause) {}
}
