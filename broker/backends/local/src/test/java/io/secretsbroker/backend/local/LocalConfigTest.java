package io.secretsbroker.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalConfigTest {
  private static final Path DATA = Path.of("/srv/broker-data");

  @Test
  void defaults_keyInTheDataFolder_tenVersions_64KiB_10s() {
    LocalConfig config = LocalConfig.from(Backends.settings(Map.of()), DATA);

    assertThat(config.masterKeyFile()).isEqualTo(DATA.resolve("master.key"));
    assertThat(config.masterKeyFileKey()).isEqualTo("mounts[0].backend.master-key-file");
    assertThat(config.maxVersions()).isEqualTo(10);
    assertThat(config.maxValueBytes()).isEqualTo(65536);
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.timeoutSeconds()).isEqualTo(10);
  }

  @Test
  void everySetting_isRead() {
    LocalConfig config = LocalConfig.from(Backends.settings(Map.of("master-key-file", "/etc/broker/key",
        "max-versions", 25, "max-value-bytes", "1024", "timeout", "1500ms")), DATA);

    assertThat(config.masterKeyFile()).isEqualTo(Path.of("/etc/broker/key"));
    assertThat(config.maxVersions()).isEqualTo(25);
    assertThat(config.maxValueBytes()).isEqualTo(1024);
    assertThat(config.timeoutSeconds()).isEqualTo(2);
  }

  @Test
  void relativeKeyFile_isResolvedAgainstTheDataFolder() {
    LocalConfig config = LocalConfig.from(Backends.settings(Map.of("master-key-file", "keys/../keys/a.key")), DATA);
    assertThat(config.masterKeyFile()).isEqualTo(DATA.resolve("keys/a.key"));
  }

  @Test
  void noDataFolder_needsAnAbsoluteKeyFile() {
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of()), null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mounts[0].backend.master-key-file: required, since the broker has no data folder");
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of("master-key-file", "k")), null))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.master-key-file: a relative path needs");
    assertThat(LocalConfig.from(Backends.settings(Map.of("master-key-file", "/k")), null).masterKeyFile())
        .isEqualTo(Path.of("/k"));
  }

  @Test
  void unknownKey_isRejected_namingItsPath() {
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of("region", "x")), DATA))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.region: unknown key");
  }

  @Test
  void outOfRangeNumbers_areRejected_namingTheirPath() {
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of("max-versions", 2)), DATA))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mounts[0].backend.max-versions: must be between 3 and 1000, got 2");
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of("max-value-bytes", 65537)), DATA))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mounts[0].backend.max-value-bytes: must be between 1 and 65536, got 65537");
    assertThatThrownBy(() -> LocalConfig.from(Backends.settings(Map.of("timeout", "0s")), DATA))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.timeout: must be between");
  }
}
