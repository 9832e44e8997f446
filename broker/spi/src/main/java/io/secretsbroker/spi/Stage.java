package io.secretsbroker.spi;

/**
 * A moving label on one version of a secret. At most one version of a secret holds each stage.
 */
public enum Stage {
  /** The version served by default. */
  CURRENT,
  /** The version that was current before the last write or rotation. */
  PREVIOUS,
  /** A version created by a rotation and not yet promoted. */
  PENDING;

  /** The lower-case word used in config, the CLI and the docs ("current", "previous", "pending"). */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses a stage word, case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted words when {@code word} is not a stage
   */
  public static Stage fromWord(String word) {
    for (Stage s : values()) {
      if (s.name().equalsIgnoreCase(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + word + "': expected current, previous or pending");
  }
}
