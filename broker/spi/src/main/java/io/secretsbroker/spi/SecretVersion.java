package io.secretsbroker.spi;

import java.util.Objects;

/**
 * One version of a secret with its value. {@link #toString()} redacts the value.
 *
 * @param name the secret name as the backend sees it
 * @param info the version's metadata
 * @param value the value
 */
public record SecretVersion(String name, VersionInfo info, SecretValue value) {
  public SecretVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(value, "value");
  }

  /** This version under another name (mount prefix added or stripped). */
  public SecretVersion withName(String newName) {
    return new SecretVersion(newName, info, value);
  }
}
