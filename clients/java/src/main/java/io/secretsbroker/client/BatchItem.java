package io.secretsbroker.client;

import java.util.Optional;

/** The outcome of one read in {@link SecretsClient#batchGet}: a secret, or the error that read failed with. */
public final class BatchItem {
  private final String name;
  private final Secret secret;
  private final SecretsBrokerException error;

  BatchItem(String name, Secret secret, SecretsBrokerException error) {
    this.name = name;
    this.secret = secret;
    this.error = error;
  }

  /** The name that was asked for. */
  public String name() {
    return name;
  }

  /** Whether this read succeeded. */
  public boolean succeeded() {
    return secret != null;
  }

  /**
   * The secret read.
   *
   * @throws SecretsBrokerException the error this read failed with
   */
  public Secret secret() {
    if (secret == null) {
      throw error;
    }
    return secret;
  }

  /** The error this read failed with, empty if it succeeded. */
  public Optional<SecretsBrokerException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    return succeeded() ? "BatchItem[" + secret + "]" : "BatchItem[name=" + name + ", error=" + error.getMessage() + "]";
  }
}
