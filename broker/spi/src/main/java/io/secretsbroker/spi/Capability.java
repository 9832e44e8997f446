package io.secretsbroker.spi;

/**
 * Optional abilities a backend may have; the broker asks {@link SecretBackend#capabilities()} and falls back
 * where one is missing.
 */
public enum Capability {
  /** Old versions stay readable by id. */
  VERSIONING,
  /** Stages are stored with the backend, so they survive outside the broker. */
  STAGE_LABELS,
  /** Check-and-set on the current version is atomic in the backend itself. */
  ATOMIC_CHECK_AND_SET,
  /** The backend can rotate values itself (the broker still drives the stage moves). */
  NATIVE_ROTATION
}
