package io.secretsbroker.spi;

/**
 * A configuration error. The message starts with the key path at fault, e.g.
 * {@code "mounts[2].backend.region: required"}.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
