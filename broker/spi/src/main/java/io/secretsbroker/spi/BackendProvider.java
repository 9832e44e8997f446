package io.secretsbroker.spi;

/**
 * Creates backends of one kind. Found through {@link java.util.ServiceLoader}: each backend module lists its
 * provider in {@code META-INF/services/io.secretsbroker.spi.BackendProvider}.
 */
public interface BackendProvider {

  /** The kind named in config ({@code backend.type}), e.g. {@code "aws"}. */
  String kind();

  /**
   * Builds a backend for one mount.
   *
   * @throws ConfigException naming the key path when a setting is missing, unknown or out of range
   */
  SecretBackend create(BackendContext context);
}
