package io.secretsbroker.spi;

import java.util.Objects;

/**
 * Names one version of a secret: by version id, by stage, or neither (which means {@link Stage#CURRENT}).
 *
 * @param name the secret name as the backend sees it (relative to its mount); never null
 * @param version a version id, or null
 * @param stage a stage, or null; at most one of {@code version} and {@code stage} is set
 */
public record SecretRef(String name, String version, Stage stage) {
  public SecretRef {
    Objects.requireNonNull(name, "name");
    if (version != null && stage != null) {
      throw new IllegalArgumentException("a reference names a version or a stage, not both");
    }
    if (version == null && stage == null) {
      stage = Stage.CURRENT;
    }
  }

  /** The current version of {@code name}. */
  public static SecretRef current(String name) {
    return new SecretRef(name, null, Stage.CURRENT);
  }

  /** The version {@code version} of {@code name}. */
  public static SecretRef ofVersion(String name, String version) {
    return new SecretRef(name, Objects.requireNonNull(version, "version"), null);
  }

  /** The version of {@code name} that holds {@code stage}. */
  public static SecretRef ofStage(String name, Stage stage) {
    return new SecretRef(name, null, Objects.requireNonNull(stage, "stage"));
  }

  /** This reference with another name (used when a mount prefix is stripped or added). */
  public SecretRef withName(String newName) {
    return new SecretRef(newName, version, stage);
  }

  /** "v=3" or "stage=current", for logs and audit. */
  public String selector() {
    return version != null ? "version=" + version : "stage=" + stage.word();
  }
}
