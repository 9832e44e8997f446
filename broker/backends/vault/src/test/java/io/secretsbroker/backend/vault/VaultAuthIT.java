package io.secretsbroker.backend.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each auth method against the fake's login endpoints, through spring-vault's login implementations. */
class VaultAuthIT {
  private static final String ROLE_ID = "role-4f1c";
  private static final String SECRET_ID = "secret-id-9d2e";
  private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.sa-token.sig";

  @TempDir
  Path dir;

  private final FakeClock clock = new FakeClock();
  private FakeVault fake;

  @BeforeEach
  void startFake() throws Exception {
    fake = FakeVault.start("secret", clock, null)
        .addAppRole("approle", ROLE_ID, SECRET_ID)
        .addKubernetesRole("kubernetes", "broker", JWT);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  private Map<String, Object> settings(Map<String, Object> auth) {
    Map<String, Object> s = TestVault.tokenSettings(fake.address());
    s.put("auth", new LinkedHashMap<>(auth));
    return s;
  }

  private VaultBackend backend(Map<String, Object> auth, Map<String, String> env) {
    return TestVault.backend(settings(auth), env, clock);
  }

  private static BackendException failure(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e;
    }
    throw new AssertionError("expected a BackendException");
  }

  private static void roundTrip(VaultBackend b, String name) {
    b.write(WriteRequest.put(name, SecretValue.of("v".getBytes(UTF_8))));
    assertThat(new String(b.read(SecretRef.current(name)).value().bytes(), UTF_8)).isEqualTo("v");
  }

  private Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void tokenFromEnvironment_isSentOnEveryRequest() {
    fake.addToken("hvs.env-token");
    try (VaultBackend b = backend(Map.of("method", "token", "token-env", "VT"), Map.of("VT", "hvs.env-token"))) {
      roundTrip(b, "env/db");
    }
    assertThat(fake.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.hadToken()).isTrue());
  }

  @Test
  void refusedTokenFromEnvironment_isPermissionDenied_withoutRetryOrTokenInMessage() {
    try (VaultBackend b = backend(Map.of("method", "token", "token-env", "VT"), Map.of("VT", "hvs.unknown"))) {
      BackendException e = failure(() -> b.read(SecretRef.current("env/db")));
      assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
      assertThat(e.getMessage()).doesNotContain("hvs.unknown").contains("permission denied (HTTP 403)");
    }
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void tokenFile_isReadAgain_whenVaultRefusesTheToken() throws Exception {
    fake.addToken("hvs.first");
    Path tokenFile = file("token", "hvs.first\n");
    try (VaultBackend b = backend(Map.of("method", "token", "token-file", tokenFile.toString()), Map.of())) {
      roundTrip(b, "file/db");
      fake.revokeToken("hvs.first");
      fake.addToken("hvs.second");
      Files.writeString(tokenFile, "hvs.second");

      assertThat(b.read(SecretRef.current("file/db")).info().version()).isEqualTo("1");
    }
  }

  @Test
  void appRole_logsInOnce_andSendsRoleIdAndSecretId() {
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", SECRET_ID))) {
      roundTrip(b, "approle/db");
      b.read(SecretRef.current("approle/db"));
      assertThat(fake.logins()).isEqualTo(1);
    }
    FakeVault.Request login = fake.requests().get(0);
    assertThat(login.method()).isEqualTo("POST");
    assertThat(login.path()).isEqualTo("/v1/auth/approle/login");
    assertThat(login.hadToken()).isFalse();
    assertThat(login.body()).contains("\"role_id\":\"" + ROLE_ID + "\"", "\"secret_id\":\"" + SECRET_ID + "\"");
  }

  @Test
  void close_revokesTheLoginToken() {
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", SECRET_ID))) {
      roundTrip(b, "close/db");
      assertThat(fake.liveIssuedTokens()).isEqualTo(1);
    }
    assertThat(fake.liveIssuedTokens()).isZero();
    assertThat(fake.requestLines()).last().isEqualTo("POST /v1/auth/token/revoke-self");
  }

  @Test
  void close_leavesAConfiguredTokenAlone() {
    fake.addToken("hvs.configured");
    try (VaultBackend b = backend(Map.of("method", "token", "token-env", "VT"), Map.of("VT", "hvs.configured"))) {
      roundTrip(b, "close/token");
    }
    assertThat(fake.requestLines()).noneMatch(l -> l.contains("revoke"));
  }

  @Test
  void appRole_logsInAgain_afterTwoThirdsOfTheTokenTtl() {
    fake.loginTtl(Duration.ofSeconds(3000));
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", SECRET_ID))) {
      roundTrip(b, "ttl/db");
      clock.advance(Duration.ofSeconds(1999));
      b.read(SecretRef.current("ttl/db"));
      assertThat(fake.logins()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      b.read(SecretRef.current("ttl/db"));
      assertThat(fake.logins()).isEqualTo(2);
    }
  }

  @Test
  void appRole_logsInAgain_whenTheTokenIsRevoked() {
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", SECRET_ID))) {
      roundTrip(b, "revoked/db");
      fake.revokeIssuedTokens();
      assertThat(b.read(SecretRef.current("revoked/db")).info().version()).isEqualTo("1");
      assertThat(fake.logins()).isEqualTo(2);
    }
  }

  @Test
  void appRole_withWrongSecretId_isPermissionDenied_andTheMessageIsSafe() {
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", "wrong-secret-id"))) {
      BackendException e = failure(() -> b.read(SecretRef.current("x")));
      assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
      assertThat(e.getMessage())
          .isEqualTo("vault: reading secret 'x' failed: login with auth method approle was refused (HTTP 400)")
          .doesNotContain("wrong-secret-id", ROLE_ID, "invalid role or secret ID");
    }
  }

  @Test
  void appRole_secretIdFile_isReadAtEachLogin() throws Exception {
    Path secretIdFile = file("secret-id", "stale-secret-id");
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID,
        "secret-id-file", secretIdFile.toString()), Map.of())) {
      assertThat(failure(() -> b.read(SecretRef.current("f"))).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
      Files.writeString(secretIdFile, SECRET_ID + "\n");
      roundTrip(b, "rotated/db");
    }
  }

  @Test
  void appRole_atACustomAuthMount() throws Exception {
    try (FakeVault other = FakeVault.start("secret", clock, null).addAppRole("apps/approle", ROLE_ID, SECRET_ID)) {
      Map<String, Object> s = TestVault.tokenSettings(other.address());
      s.put("auth", Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID",
          "auth-mount", "apps/approle"));
      try (VaultBackend b = TestVault.backend(s, Map.of("SID", SECRET_ID), clock)) {
        roundTrip(b, "mounted/db");
      }
      assertThat(other.requests().get(0).path()).isEqualTo("/v1/auth/apps/approle/login");
    }
  }

  @Test
  void kubernetes_logsInWithTheServiceAccountToken() throws Exception {
    Path jwt = file("sa-token", JWT + "\n");
    try (VaultBackend b = backend(Map.of("method", "kubernetes", "role", "broker",
        "service-account-token-file", jwt.toString()), Map.of())) {
      roundTrip(b, "k8s/db");
      assertThat(fake.logins()).isEqualTo(1);
    }
    FakeVault.Request login = fake.requests().get(0);
    assertThat(login.path()).isEqualTo("/v1/auth/kubernetes/login");
    assertThat(login.body()).contains("\"role\":\"broker\"", "\"jwt\":\"" + JWT + "\"");
  }

  @Test
  void kubernetes_withARejectedServiceAccountToken_isPermissionDenied() throws Exception {
    Path jwt = file("sa-token", "eyJ.other.jwt");
    try (VaultBackend b = backend(Map.of("method", "kubernetes", "role", "broker",
        "service-account-token-file", jwt.toString()), Map.of())) {
      BackendException e = failure(() -> b.read(SecretRef.current("x")));
      assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
      assertThat(e.getMessage()).contains("login with auth method kubernetes was refused (HTTP 403)")
          .doesNotContain("eyJ.other.jwt");
    }
  }

  @Test
  void loginWhileVaultIsSealed_isUnavailable() {
    fake.sealed(true);
    try (VaultBackend b = backend(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"),
        Map.of("SID", SECRET_ID))) {
      BackendException e = failure(() -> b.read(SecretRef.current("x")));
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).endsWith("login with auth method approle failed: Vault is unavailable (HTTP 503)");
    } finally {
      fake.sealed(false);
    }
  }

  @Test
  void credentialFileThatDisappears_isUnavailable_andNamesItsKey() throws Exception {
    Path jwt = file("sa-token", JWT);
    try (VaultBackend b = backend(Map.of("method", "kubernetes", "role", "broker",
        "service-account-token-file", jwt.toString()), Map.of())) {
      Files.delete(jwt);
      BackendException e = failure(() -> b.read(SecretRef.current("x")));
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("auth.service-account-token-file");
    }
  }

  @Test
  void namespace_isSentOnEveryRequest_includingTheLogin() {
    fake.requireNamespace("team-a");
    Map<String, Object> s = settings(Map.of("method", "approle", "role-id", ROLE_ID, "secret-id-env", "SID"));
    s.put("namespace", "team-a");
    try (VaultBackend b = TestVault.backend(s, Map.of("SID", SECRET_ID), clock)) {
      roundTrip(b, "ns/db");
    }
    List<FakeVault.Request> requests = fake.requests();
    assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r.namespaceHeader()).isEqualTo("team-a"));

    s.remove("namespace");
    try (VaultBackend b = TestVault.backend(s, Map.of("SID", SECRET_ID), Clock.systemUTC())) {
      assertThat(failure(() -> b.read(SecretRef.current("ns/db"))).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }
  }
}
