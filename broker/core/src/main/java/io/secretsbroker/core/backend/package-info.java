/**
 * Decorators that wrap any {@link io.secretsbroker.spi.SecretBackend}: retry with jittered backoff and a
 * circuit breaker ({@link io.secretsbroker.core.backend.ResilientBackend}), and latency/health metrics
 * ({@link io.secretsbroker.core.backend.MeteredBackend}).
 */
package io.secretsbroker.core.backend;
