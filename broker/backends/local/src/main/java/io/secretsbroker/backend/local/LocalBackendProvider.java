package io.secretsbroker.backend.local;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretBackend;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;

/**
 * Builds {@code local} backends: secrets encrypted with AES-256-GCM (envelope encryption under a master key
 * kept in a file) and stored in the broker's state database. The zero-configuration default.
 *
 * <p>Creating a backend loads or creates the master key file, migrates the backend's tables and checks that
 * the stored values of the mount were sealed under that key.
 */
public final class LocalBackendProvider implements BackendProvider {
  /** The kind named in config. */
  public static final String KIND = "local";

  private static final int MAX_MOUNT_BYTES = 512;

  @Override
  public String kind() {
    return KIND;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ConfigException for a bad setting, a master key file that is unsafe or malformed, a missing state
   *     database, or a key that did not seal this mount's stored values
   * @throws BackendException {@code UNAVAILABLE} when the state database cannot be reached, {@code INTERNAL}
   *     when its tables cannot be migrated
   */
  @Override
  public SecretBackend create(BackendContext context) {
    LocalConfig config = LocalConfig.from(context.settings(), context.dataDir());
    if (context.stateDatabase() == null) {
      throw new ConfigException(context.settings().path()
          + ": the local backend needs the broker's state database, and none was given");
    }
    if (context.mount().getBytes(StandardCharsets.UTF_8).length > MAX_MOUNT_BYTES) {
      throw new ConfigException(context.settings().path() + ": the local backend stores mount prefixes of at most "
          + MAX_MOUNT_BYTES + " bytes");
    }
    MasterKey masterKey = MasterKey.loadOrCreate(config.masterKeyFile(), config.masterKeyFileKey());
    StateDatabase db = new StateDatabase(context.stateDatabase(), config.timeoutSeconds());
    try {
      Schema.migrate(context.stateDatabase());
    } catch (SQLException e) {
      throw startFailure(e);
    } catch (FlywayException e) {
      SQLException sql = sqlCause(e);
      if (sql != null) {
        throw startFailure(sql);
      }
      throw new BackendException(ErrorCode.INTERNAL,
          "local backend: cannot migrate its tables in the state database", e);
    }
    checkKeyMatchesStoredValues(context, config, masterKey, db);
    return new LocalBackend(context.mount(), config, masterKey, db, context.clock());
  }

  /** Refuses a key under which none of this mount's stored values were sealed: a wrong key file. */
  private static void checkKeyMatchesStoredValues(BackendContext context, LocalConfig config, MasterKey key,
      StateDatabase db) {
    Map<String, Long> countsByKey = db.read("checking the master key of mount", context.mount(), c -> {
      Map<String, Long> counts = new LinkedHashMap<>();
      try (PreparedStatement s = db.prepare(c,
          "SELECT key_id, COUNT(*) FROM sb_local_version WHERE mount = ? GROUP BY key_id ORDER BY key_id")) {
        s.setString(1, context.mount());
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            counts.put(r.getString(1), r.getLong(2));
          }
        }
      }
      return counts;
    });
    if (!countsByKey.isEmpty() && !countsByKey.containsKey(key.id())) {
      throw new ConfigException(config.masterKeyFileKey() + ": " + config.masterKeyFile() + " holds master key "
          + key.id() + ", but the stored values of mount '" + context.mount() + "' were encrypted under "
          + countsByKey + " (key id = number of versions); is this the right key file?");
    }
  }

  private static BackendException startFailure(SQLException e) {
    ErrorCode code = StateDatabase.isUnavailable(e) ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
    return new BackendException(code, "local backend: cannot prepare its tables in the state database", e);
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  /** Used by {@link java.util.ServiceLoader}. */
  public LocalBackendProvider() {}
}
