package io.secretsbroker.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
  @TempDir
  Path dir;

  private BrokerConfig load(String yaml) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return BrokerConfig.load(f, Map.of());
  }

  private void rejects(String yaml, String message) {
    assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void noFile_isDevMode_withLoopbackDefaults() {
    BrokerConfig c = BrokerConfig.load(null, Map.of());
    assertThat(c.devMode()).isTrue();
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 7700));
    assertThat(c.metricsListen()).contains(new HostPort("127.0.0.1", 9464));
    assertThat(c.mounts()).singleElement().satisfies(m -> {
      assertThat(m.prefix()).isEmpty();
      assertThat(m.type()).isEqualTo("local");
      assertThat(m.cache().ttl()).isEqualTo(Duration.ofSeconds(300));
    });
    assertThat(c.auth().rootTokenFile()).contains(Path.of(".secrets-broker/root-token"));
    assertThat(c.state().kind()).isEqualTo("h2");
  }

  @Test
  void envOverrides_winOverTheFile() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "listen: 127.0.0.1:1234\n");
    BrokerConfig c = BrokerConfig.load(f, Map.of("SECRETS_BROKER_LISTEN", "127.0.0.1:5678",
        "SECRETS_BROKER_METRICS_LISTEN", "off", "SECRETS_BROKER_DATA_DIR", "/tmp/x"));
    assertThat(c.listen().port()).isEqualTo(5678);
    assertThat(c.metricsListen()).isEmpty();
    assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(c.devMode()).isFalse();
    assertThat(c.auth().rootTokenFile()).isEmpty();
  }

  @Test
  void mounts_areParsedWithPerMountCache() throws Exception {
    BrokerConfig c = load("""
        cache: { ttl: 60s }
        mounts:
          - prefix: ""
            backend: { type: local }
          - prefix: trading/
            backend: { type: vault, address: "https://vault:8200" }
            cache: { ttl: 10m, max-size: 50 }
        """);
    assertThat(c.mounts()).hasSize(2);
    assertThat(c.mounts().get(0).cache().ttl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.mounts().get(1).cache().ttl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.mounts().get(1).cache().maximumSize()).isEqualTo(50);
    assertThat(c.mounts().get(1).backend().path()).isEqualTo("mounts[1].backend");
  }

  @Test
  void errors_nameTheKeyPath() {
    rejects("listne: 127.0.0.1:1\n", "listne: unknown key");
    rejects("listen: 0.0.0.0:7700\n", "listen: 0.0.0.0:7700 is not a loopback address; listening beyond loopback"
        + " requires tls");
    rejects("listen: nonsense\n", "listen: expected host:port");
    rejects("cache: { ttl: forever }\n", "cache.ttl: expected a duration");
    rejects("cache: { ttl: 2d }\n", "cache.ttl: must be between 0s and 1d");
    rejects("mounts:\n  - prefix: trading\n    backend: { type: local }\n", "mounts[0].prefix: must end with '/'");
    rejects("mounts:\n  - prefix: a/\n    backend: { type: local }\n  - prefix: a/\n    backend: { type: local }\n",
        "mounts[1].prefix: another mount already uses 'a/'");
    rejects("mounts:\n  - prefix: a/\n    backend: {}\n", "mounts[0].backend.type: required");
    rejects("mounts:\n  - backend: { type: local }\n", "mounts[0].prefix: required");
    rejects("state: { type: mysql }\n", "state.type: must be h2 or postgresql");
    rejects("state: { type: postgresql, url: 'jdbc:x' }\n", "state.url: must start with jdbc:postgresql://");
    rejects("state: { type: postgresql, url: 'jdbc:postgresql://h/db', password-env: NOPE_NOT_SET }\n",
        "state.password-env: environment variable NOPE_NOT_SET is not set");
    rejects("limits: { max-value-bytes: 70000 }\n", "limits.max-value-bytes: must be between 1 and 65536");
    rejects("tls: { cert-file: /nonexistent.pem, key-file: /nonexistent.key }\n", "tls.cert-file: /nonexistent.pem"
        + " is not a readable file");
    rejects("auth: { bindings: [ { principal: 'a*b', policies: [x] } ] }\n",
        "auth.bindings[0].principal: '*' is allowed only at the end");
    rejects("auth: { bindings: [ { principal: 'a' } ] }\n", "auth.bindings[0].policies: at least one policy");
    rejects("policies: { dir: /nonexistent-dir }\n", "policies.dir: /nonexistent-dir is not a directory");
    rejects("mounts: 3\n", "mounts: expected a list");
    rejects("listen: [1\n", "not valid YAML at line");
  }

  @Test
  void auditRetentionAndArchive_defaultsAndLocations() throws Exception {
    BrokerConfig defaults = load("listen: 127.0.0.1:1\n");
    assertThat(defaults.audit().retention()).isEqualTo(BrokerConfig.DEFAULT_AUDIT_RETENTION);
    assertThat(defaults.audit().archive()).isEmpty();

    BrokerConfig c = load("audit: { retention: 30d, archive: \"s3://audit-bucket/prod/audit\", anchor: /mnt/anchor }\n");
    assertThat(c.audit().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(c.audit().archive()).contains("s3://audit-bucket/prod/audit");
    assertThat(c.audit().anchor()).contains("/mnt/anchor");

    rejects("audit: { archive: \"s3://Bad_Bucket/x\" }\n", "audit.archive: expected a bucket name");
    rejects("audit: { anchor: \"s3://audit-bucket//x\" }\n", "audit.anchor: expected a key prefix");
    rejects("audit: { retention: 10m }\n", "audit.retention");
  }

  @Test
  void missingFile_isAClearError() {
    assertThatThrownBy(() -> BrokerConfig.load(dir.resolve("nope.yaml"), Map.of()))
        .hasMessageContaining("nope.yaml: not found");
  }
}
