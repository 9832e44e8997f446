package io.secretsbroker.backend.local;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of one local-backend mount.
 *
 * @param masterKeyFile where the master key lives (absolute, or resolved against the data folder)
 * @param masterKeyFileKey the key path of {@code master-key-file}, for error messages
 * @param maxVersions how many versions of a secret are kept; older versions without a stage are pruned
 * @param maxValueBytes the largest value accepted
 * @param timeout the limit on each SQL statement, lock waits included
 */
record LocalConfig(Path masterKeyFile, String masterKeyFileKey, int maxVersions, int maxValueBytes,
    Duration timeout) {

  /** The master key file's name inside the data folder when {@code master-key-file} is not set. */
  static final String DEFAULT_MASTER_KEY_FILE = "master.key";
  /** Versions kept per secret by default. */
  static final int DEFAULT_MAX_VERSIONS = 10;
  /** The fewest versions one may keep: room for the current, previous and pending versions. */
  static final int MIN_MAX_VERSIONS = 3;
  /** The most versions one may keep. */
  static final int MAX_MAX_VERSIONS = 1000;
  /** The broker's value limit, and this backend's default and ceiling. */
  static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
  /** The SQL statement limit by default. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  static final Set<String> KEYS = Set.of("type", "master-key-file", "max-versions", "max-value-bytes", "timeout");

  LocalConfig {
    Objects.requireNonNull(masterKeyFile, "masterKeyFile");
    Objects.requireNonNull(masterKeyFileKey, "masterKeyFileKey");
    Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Reads and checks a mount's settings.
   *
   * @param settings the mount's {@code backend} section
   * @param dataDir the broker's data folder, or null when it has none
   * @throws ConfigException naming the key path at fault
   */
  static LocalConfig from(Settings settings, Path dataDir) {
    settings.allowOnly(KEYS);
    String keyFileKey = settings.pathOf("master-key-file");
    Path keyFile = settings.optString("master-key-file")
        .map(text -> resolve(keyFileKey, text, dataDir))
        .orElseGet(() -> {
          if (dataDir == null) {
            throw new ConfigException(keyFileKey + ": required, since the broker has no data folder");
          }
          return dataDir.resolve(DEFAULT_MASTER_KEY_FILE);
        });
    int maxVersions = settings.integer("max-versions", DEFAULT_MAX_VERSIONS, MIN_MAX_VERSIONS, MAX_MAX_VERSIONS);
    int maxValueBytes = settings.integer("max-value-bytes", DEFAULT_MAX_VALUE_BYTES, 1, DEFAULT_MAX_VALUE_BYTES);
    Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(10));
    return new LocalConfig(keyFile.toAbsolutePath().normalize(), keyFileKey, maxVersions, maxValueBytes, timeout);
  }

  /** The timeout in whole seconds, as JDBC wants it (at least 1). */
  int timeoutSeconds() {
    long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  private static Path resolve(String key, String text, Path dataDir) {
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw new ConfigException(key + ": not a valid path: '" + text + "'");
    }
    if (path.isAbsolute()) {
      return path;
    }
    if (dataDir == null) {
      throw new ConfigException(key + ": a relative path needs the broker's data folder, which is not set");
    }
    return dataDir.resolve(path);
  }
}
