package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultConfigTest {
  private static final Map<String, String> ENV = Map.of("VAULT_TEST_TOKEN", "hvs.from-env",
      "APPROLE_SECRET", "s3cr3t-id");

  @TempDir
  Path dir;

  private static Map<String, Object> base() {
    return TestVault.tokenSettings("https://vault.example.com:8200");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> auth(Map<String, Object> settings) {
    return (Map<String, Object>) settings.get("auth");
  }

  private static Map<String, Object> withAuth(Map<String, Object> auth) {
    Map<String, Object> s = base();
    s.put("auth", new LinkedHashMap<>(auth));
    return s;
  }

  private static VaultConfig parse(Map<String, Object> settings) {
    return TestVault.config(settings, ENV);
  }

  private static String errorOf(Map<String, Object> settings) {
    try {
      parse(settings);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  private Path file(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void minimalTokenConfig_getsDocumentedDefaults() {
    VaultConfig c = parse(base());

    assertThat(c.address()).isEqualTo(URI.create("https://vault.example.com:8200"));
    assertThat(c.mount()).isEqualTo("secret");
    assertThat(c.pathPrefix()).isEmpty();
    assertThat(c.namespace()).isNull();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxValueBytes()).isEqualTo(65536);
    assertThat(c.caFile()).isNull();
    assertThat(c.auth()).isEqualTo(new VaultConfig.TokenAuth("VAULT_TEST_TOKEN", null));
  }

  @Test
  void everyOptionalSetting_isParsedAndNormalised() {
    Map<String, Object> s = base();
    s.put("mount", "/team/kv/");
    s.put("path-prefix", "broker/prod/");
    s.put("namespace", "/admin/team-a/");
    s.put("timeout", "2500ms");
    s.put("max-value-bytes", 1024);

    VaultConfig c = parse(s);

    assertThat(c.mount()).isEqualTo("team/kv");
    assertThat(c.pathPrefix()).isEqualTo("broker/prod/");
    assertThat(c.namespace()).isEqualTo("admin/team-a");
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.maxValueBytes()).isEqualTo(1024);
  }

  @Test
  void addressWithoutPort_usesTheSchemesPort() {
    Map<String, Object> s = base();
    s.put("address", "https://vault.internal");
    assertThat(parse(s).address().getPort()).isEqualTo(443);
    s.put("address", "http://127.0.0.1/");
    assertThat(parse(s).address()).isEqualTo(URI.create("http://127.0.0.1:80"));
  }

  @Test
  void plainHttp_isOnlyAllowedToALoopbackHost() {
    Map<String, Object> s = base();
    for (String ok : new String[] {"http://127.0.0.1:8200", "http://localhost:8200", "http://[::1]:8200"}) {
      s.put("address", ok);
      assertThat(parse(s).address().getScheme()).isEqualTo("http");
    }
    for (String remote : new String[] {"http://vault.internal:8200", "http://10.0.0.5:8200"}) {
      s.put("address", remote);
      assertThat(errorOf(s)).as(remote).startsWith("mounts[0].backend.address: plain http is only allowed to a "
          + "loopback host");
    }
  }

  @Test
  void missingAddress_isRequiredAtItsKeyPath() {
    Map<String, Object> s = base();
    s.remove("address");
    assertThat(errorOf(s)).isEqualTo("mounts[0].backend.address: required");
  }

  @Test
  void addressThatIsNotAnHttpUrl_isRejected() {
    for (String bad : new String[] {"vault:8200", "ftp://vault", "https://", "https://vault/v1",
        "https://user@vault", "https://vault?x=1", "not a url"}) {
      Map<String, Object> s = base();
      s.put("address", bad);
      assertThat(errorOf(s)).as(bad).startsWith("mounts[0].backend.address: ");
    }
  }

  @Test
  void credentialsInTheAddress_areRefusedWithoutEchoingThem() {
    Map<String, Object> s = base();
    s.put("address", "https://admin:hvs.pasted@vault.internal:8200");
    assertThat(errorOf(s)).isEqualTo("mounts[0].backend.address: credentials in the URL are refused; see auth for "
        + "how to authenticate");
  }

  @Test
  void unknownKey_isRejectedWithItsPath() {
    Map<String, Object> s = base();
    s.put("region", "eu");
    assertThat(errorOf(s)).startsWith("mounts[0].backend.region: unknown key");
  }

  @Test
  void mountAndPathPrefix_withBadSegments_areRejected() {
    for (String key : new String[] {"mount", "path-prefix"}) {
      for (String bad : new String[] {"a//b", "a/../b", "a b", "a/./b", "ü"}) {
        Map<String, Object> s = base();
        s.put(key, bad);
        assertThat(errorOf(s)).as(key + "=" + bad).startsWith("mounts[0].backend." + key + ": expected segments");
      }
    }
    Map<String, Object> s = base();
    s.put("mount", "/");
    assertThat(errorOf(s)).isEqualTo("mounts[0].backend.mount: must not be empty");
  }

  @Test
  void timeoutAndMaxValueBytes_areRangeChecked() {
    Map<String, Object> s = base();
    s.put("timeout", "10ms");
    assertThat(errorOf(s)).startsWith("mounts[0].backend.timeout: must be between");
    s = base();
    s.put("max-value-bytes", 10_000_000);
    assertThat(errorOf(s)).startsWith("mounts[0].backend.max-value-bytes: must be between 1 and 262144");
    s.put("max-value-bytes", "lots");
    assertThat(errorOf(s)).startsWith("mounts[0].backend.max-value-bytes: expected an integer");
  }

  @Test
  void missingAuthMethod_isRequired() {
    Map<String, Object> s = base();
    auth(s).remove("method");
    assertThat(errorOf(s)).isEqualTo("mounts[0].backend.auth.method: required");
  }

  @Test
  void unknownAuthMethod_isRejected() {
    assertThat(errorOf(withAuth(Map.of("method", "userpass"))))
        .isEqualTo("mounts[0].backend.auth.method: expected token, approle or kubernetes, got 'userpass'");
  }

  @Test
  void tokenInTheConfigFile_isRefusedWithAHint_andNotEchoed() {
    String message = errorOf(withAuth(Map.of("method", "token", "token", "hvs.pasted-token")));
    assertThat(message).startsWith("mounts[0].backend.auth.token: a token never goes in the config file")
        .doesNotContain("hvs.pasted-token");
  }

  @Test
  void tokenPastedIntoTokenEnv_isRejectedWithoutEchoingIt() {
    String message = errorOf(withAuth(Map.of("method", "token", "token-env", "hvs.CAESIJ-pasted")));
    assertThat(message)
        .startsWith("mounts[0].backend.auth.token-env: expected the name of an environment variable")
        .doesNotContain("hvs.CAESIJ-pasted");
  }

  @Test
  void tokenEnvNamingAnUnsetVariable_isRejected() {
    assertThat(errorOf(withAuth(Map.of("method", "token", "token-env", "NOPE"))))
        .isEqualTo("mounts[0].backend.auth.token-env: environment variable NOPE is not set or empty");
  }

  @Test
  void tokenFile_isAccepted_andMustBeReadable() throws IOException {
    Path f = file("token", "hvs.in-file\n");
    VaultConfig c = parse(withAuth(Map.of("method", "token", "token-file", f.toString())));
    assertThat(c.auth()).isEqualTo(new VaultConfig.TokenAuth(null, f));

    assertThat(errorOf(withAuth(Map.of("method", "token", "token-file", dir.resolve("missing").toString()))))
        .startsWith("mounts[0].backend.auth.token-file: cannot read file");
  }

  @Test
  void tokenAuth_needsExactlyOneSource() throws IOException {
    Path f = file("token", "hvs.x");
    assertThat(errorOf(withAuth(Map.of("method", "token"))))
        .isEqualTo("mounts[0].backend.auth.token-env: set exactly one of token-env and token-file");
    assertThat(errorOf(withAuth(Map.of("method", "token", "token-env", "VAULT_TEST_TOKEN",
        "token-file", f.toString())))).contains("set exactly one of token-env and token-file");
  }

  @Test
  void tokenAuth_rejectsKeysOfOtherMethods() {
    assertThat(errorOf(withAuth(Map.of("method", "token", "token-env", "VAULT_TEST_TOKEN", "role", "x"))))
        .startsWith("mounts[0].backend.auth.role: unknown key");
  }

  @Test
  void appRole_withSecretIdFromEnv_usesTheDefaultMount() {
    VaultConfig c = parse(withAuth(Map.of("method", "approle", "role-id", "role-123",
        "secret-id-env", "APPROLE_SECRET")));
    assertThat(c.auth()).isEqualTo(new VaultConfig.AppRoleAuth("role-123", "APPROLE_SECRET", null, "approle"));
    assertThat(c.auth().toString()).doesNotContain("role-123");
  }

  @Test
  void appRole_withSecretIdFile_andCustomMount() throws IOException {
    Path f = file("secret-id", "sid");
    VaultConfig c = parse(withAuth(Map.of("method", "approle", "role-id", "r", "secret-id-file", f.toString(),
        "auth-mount", "/apps/approle/")));
    assertThat(c.auth()).isEqualTo(new VaultConfig.AppRoleAuth("r", null, f, "apps/approle"));
  }

  @Test
  void appRole_needsRoleIdAndOneSecretIdSource_andNeverTheSecretIdItself() {
    assertThat(errorOf(withAuth(Map.of("method", "approle", "secret-id-env", "APPROLE_SECRET"))))
        .isEqualTo("mounts[0].backend.auth.role-id: required");
    assertThat(errorOf(withAuth(Map.of("method", "approle", "role-id", "r"))))
        .isEqualTo("mounts[0].backend.auth.secret-id-env: set exactly one of secret-id-env and secret-id-file");
    assertThat(errorOf(withAuth(Map.of("method", "approle", "role-id", "r", "secret-id", "plain"))))
        .startsWith("mounts[0].backend.auth.secret-id: a secret id never goes in the config file")
        .doesNotContain("plain");
  }

  @Test
  void kubernetes_withTokenFile_andDefaultMount() throws IOException {
    Path jwt = file("sa-token", "eyJhbGciOi.fake.jwt");
    VaultConfig c = parse(withAuth(Map.of("method", "kubernetes", "role", "broker",
        "service-account-token-file", jwt.toString())));
    assertThat(c.auth()).isEqualTo(new VaultConfig.KubernetesAuth("broker", jwt, "kubernetes"));
  }

  @Test
  void kubernetes_defaultTokenFile_mustExist_andRoleIsRequired() {
    if (!Files.isReadable(VaultConfig.DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE)) {
      assertThat(errorOf(withAuth(Map.of("method", "kubernetes", "role", "broker"))))
          .isEqualTo("mounts[0].backend.auth.service-account-token-file: cannot read file "
              + VaultConfig.DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE);
    }
    assertThat(errorOf(withAuth(Map.of("method", "kubernetes", "service-account-token-file", "/x"))))
        .isEqualTo("mounts[0].backend.auth.role: required");
  }

  @Test
  void caFile_needsHttps_andMustHoldCertificates() throws IOException {
    Path notPem = file("ca.pem", "not a certificate");
    Map<String, Object> s = base();
    s.put("ca-file", notPem.toString());
    assertThat(errorOf(s)).startsWith("mounts[0].backend.ca-file: not a PEM file of X.509 certificates");
    s.put("address", "http://127.0.0.1:8200");
    assertThat(errorOf(s)).isEqualTo("mounts[0].backend.ca-file: only applies to an https address");
    s = base();
    s.put("ca-file", dir.resolve("absent.pem").toString());
    assertThat(errorOf(s)).startsWith("mounts[0].backend.ca-file: cannot read file");
  }

  @Test
  void loopbackDetection_coversNamesAndLiterals() {
    assertThat(VaultConfig.isLoopback(URI.create("http://localhost:8200"))).isTrue();
    assertThat(VaultConfig.isLoopback(URI.create("http://127.0.0.1:8200"))).isTrue();
    assertThat(VaultConfig.isLoopback(URI.create("http://[::1]:8200"))).isTrue();
    assertThat(VaultConfig.isLoopback(URI.create("http://10.0.0.1:8200"))).isFalse();
    assertThat(VaultConfig.isLoopback(URI.create("http://vault.internal:8200"))).isFalse();
  }
}
