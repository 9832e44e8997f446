package io.secretsbroker.backend.local;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Builds local backends for tests the way the broker does: through the provider, from settings. */
final class Backends {
  private Backends() {}

  /** The settings section of the first mount, with {@code type: local} and the given extra keys. */
  static Settings settings(Map<String, ?> extra) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("type", "local");
    values.putAll(extra);
    return new Settings("mounts[0].backend", values);
  }

  /** A backend for {@code mount} with the master key in {@code dataDir}/master.key. */
  static SecretBackend create(String mount, Path dataDir, DataSource db, Clock clock, Map<String, ?> extra) {
    return new LocalBackendProvider().create(new BackendContext(mount, settings(extra), dataDir, db, clock));
  }
}
