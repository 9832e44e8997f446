package io.secretsbroker.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.rotation.Generator;
import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.rotation.RotationPolicies.PrefixPolicy;
import io.secretsbroker.core.rotation.RotationPolicy;
import io.secretsbroker.core.rotation.RotationSettings;
import io.secretsbroker.spi.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationConfigTest {
  @TempDir
  Path dir;

  private RotationConfig load(String yaml) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return BrokerConfig.load(f, Map.of()).rotation();
  }

  private void rejects(String yaml, String message) {
    assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void noSection_meansTheNamedDefaults() {
    RotationConfig c = BrokerConfig.load(null, Map.of()).rotation();
    assertThat(c.settings()).isEqualTo(RotationSettings.defaults());
    assertThat(c.settings().scanInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.settings().concurrency()).isEqualTo(2);
    assertThat(c.defaults()).isEqualTo(RotationPolicy.DEFAULT);
    assertThat(c.prefixes()).isEmpty();
  }

  @Test
  void everyKey_isParsed_andPrefixEntriesFallBackToTheSectionDefaults() throws Exception {
    RotationConfig c = load("""
        rotation:
          scan-interval: 30s
          concurrency: 4
          max-jitter: 0s
          retry-initial-backoff: 10s
          retry-max-backoff: 10m
          default-interval: 60d
          default-grace: 2h
          default-generator: { type: password, length: 40, classes: [lower, symbols] }
          prefixes:
            - prefix: payments/
              interval: 30d
              generator: { type: random-bytes, length: 48, base64: false }
            - prefix: vendors/
              grace: 0s
              generator: { type: external }
        """);
    assertThat(c.settings()).isEqualTo(new RotationSettings(Duration.ofSeconds(30), 4, Duration.ZERO,
        Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ZERO));
    Generator.Password pw = new Generator.Password(40, EnumSet.of(CharacterClass.LOWER, CharacterClass.SYMBOLS));
    assertThat(c.defaults()).isEqualTo(new RotationPolicy(Duration.ofDays(60), pw, Duration.ofHours(2)));
    assertThat(c.prefixes()).containsExactly(
        new PrefixPolicy("payments/", new RotationPolicy(Duration.ofDays(30), new Generator.RandomBytes(48, false),
            Duration.ofHours(2))),
        new PrefixPolicy("vendors/", new RotationPolicy(Duration.ofDays(60), new Generator.External(),
            Duration.ZERO)));
  }

  @Test
  void errors_nameTheKeyPath() {
    rejects("rotation: { scan-every: 10s }\n",
        "rotation.scan-every: unknown key (known keys: [concurrency, default-generator, default-grace, "
            + "default-interval, max-jitter, prefixes, retry-initial-backoff, retry-max-backoff, scan-interval])");
    rejects("rotation: { concurrency: 0 }\n", "rotation.concurrency: must be between 1 and 64, got 0");
    rejects("rotation: { default-interval: 30m }\n",
        "rotation.default-interval: must be between 1h and 3650d, got 30m");
    rejects("rotation: { retry-initial-backoff: 2h, retry-max-backoff: 1h }\n",
        "rotation.retry-max-backoff: must be at least retry-initial-backoff (2h), got 1h");
    rejects("rotation: { prefixes: [ { prefix: a/, interval: 10m } ] }\n",
        "rotation.prefixes[0].interval: must be between 1h and 3650d, got 10m");
    rejects("rotation: { prefixes: [ { prefix: a/, every: 1d } ] }\n",
        "rotation.prefixes[0].every: unknown key (known keys: [generator, grace, interval, prefix])");
    rejects("rotation: { prefixes: [ { interval: 1d } ] }\n", "rotation.prefixes[0].prefix: required");
    rejects("rotation: { prefixes: [ { prefix: a/ }, { prefix: a/ } ] }\n",
        "rotation.prefixes[1].prefix: another entry already uses 'a/'");
    rejects("rotation: { prefixes: [ { prefix: a/, generator: { type: magic } } ] }\n",
        "rotation.prefixes[0].generator.type: must be password, random-bytes or external, got 'magic'");
    rejects("rotation: { default-generator: { type: password, length: 4 } }\n",
        "rotation.default-generator.length: must be between 8 and 1024, got 4");
    rejects("rotation: { default-generator: { type: password, classes: [lower, emoji] } }\n",
        "rotation.default-generator.classes[1]: unknown character class 'emoji' (expected lower, upper, digits or "
            + "symbols)");
    rejects("rotation: { default-generator: { type: external, length: 3 } }\n",
        "rotation.default-generator.length: unknown key (known keys: [type])");
  }
}
