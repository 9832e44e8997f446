package io.secretsbroker.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What the broker hands a {@link BackendProvider} to build one mount's backend.
 *
 * @param mount the mount prefix this backend serves (e.g. {@code "trading/"}; {@code ""} for the root)
 * @param settings the mount's backend settings from the config file
 * @param dataDir the broker's data folder (for backends that keep files)
 * @param stateDatabase the broker's state database (for the local backend)
 * @param clock the broker's clock; backends read time only from it
 */
public record BackendContext(String mount, Settings settings, Path dataDir, DataSource stateDatabase, Clock clock) {
  public BackendContext {
    Objects.requireNonNull(mount, "mount");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
  }
}
