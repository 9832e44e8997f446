package io.secretsbroker.core.state;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the state database lives.
 *
 * @param kind {@code h2} (embedded file in the data folder) or {@code postgresql}
 * @param url the JDBC URL for PostgreSQL; ignored for H2
 * @param username the PostgreSQL user; ignored for H2
 * @param password the PostgreSQL password (read from an env var or file by the config loader), may be null
 * @param poolSize the connection pool's maximum size
 * @param dataDir the broker's data folder (holds the H2 file)
 */
public record StateSettings(String kind, String url, String username, String password, int poolSize, Path dataDir) {
  public StateSettings {
    Objects.requireNonNull(kind, "kind");
    if (!kind.equals("h2") && !kind.equals("postgresql")) {
      throw new IllegalArgumentException("state kind must be h2 or postgresql, was " + kind);
    }
  }

  /** The embedded default in {@code dataDir}. */
  public static StateSettings h2(Path dataDir) {
    return new StateSettings("h2", null, null, null, 8, dataDir);
  }

  /** Redacts the password. */
  @Override
  public String toString() {
    return "StateSettings[kind=" + kind + ", url=" + url + ", username=" + username + ", password="
        + (password == null ? "none" : "[REDACTED]") + ", poolSize=" + poolSize + ", dataDir=" + dataDir + "]";
  }
}
