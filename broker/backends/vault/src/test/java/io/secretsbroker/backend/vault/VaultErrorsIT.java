package io.secretsbroker.backend.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.WriteRequest;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How Vault's failures reach the broker: codes, retryability and messages that never carry Vault's text. */
class VaultErrorsIT {
  private static final String TOKEN = "hvs.errors-root";
  private FakeVault fake;
  private VaultBackend backend;

  @BeforeEach
  void start() throws Exception {
    fake = FakeVault.start("secret").addToken(TOKEN).addToken("hvs.read-only",
        (op, path) -> op.equals("read") || op.equals("list"));
    backend = TestVault.tokenBackend(fake, TOKEN);
  }

  @AfterEach
  void stop() {
    backend.close();
    fake.close();
  }

  private static BackendException failure(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e;
    }
    throw new AssertionError("expected a BackendException");
  }

  private BackendException readFailure() {
    return failure(() -> backend.read(SecretRef.current("db")));
  }

  @Test
  void throttling_isResourceExhausted_andRetryable() {
    fake.failNext(429, "{\"errors\":[\"request path \\\"secret/metadata/db\\\": rate limit quota exceeded\"]}");
    BackendException e = readFailure();
    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).isEqualTo("vault: reading secret 'db' failed: Vault is throttling requests (HTTP 429)");
  }

  @Test
  void sealedVault_isUnavailable_andUnhealthy() {
    fake.sealed(true);
    BackendException e = readFailure();
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(e.getMessage()).endsWith("Vault is sealed or unavailable (HTTP 503)");
    assertThat(backend.healthy()).isFalse();
    fake.sealed(false);
    assertThat(backend.healthy()).isTrue();
  }

  @Test
  void serverErrors_evenWithoutJsonBodies_areUnavailable() {
    fake.failNext(500, "{\"errors\":[\"internal error\"]}");
    assertThat(readFailure().code()).isEqualTo(ErrorCode.UNAVAILABLE);
    fake.failNext(502, null);
    assertThat(readFailure().code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void vaultsErrorText_neverReachesTheCaller_butStaysInTheCause() {
    fake.failNext(400, "{\"errors\":[\"VAULT-INTERNAL-DETAIL about secret/metadata/db\"]}");
    BackendException e = readFailure();
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).doesNotContain("VAULT-INTERNAL-DETAIL")
        .isEqualTo("vault: reading secret 'db' failed: unexpected answer (HTTP 400)");
    assertThat(e.getCause()).hasMessageContaining("VAULT-INTERNAL-DETAIL");
  }

  @Test
  void wrongMount_isNotMistakenForAnAbsentSecret() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("mount", "kv");
    try (VaultBackend misconfigured = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN),
        Clock.systemUTC())) {
      BackendException e = failure(() -> misconfigured.read(SecretRef.current("db")));
      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(e.getMessage()).isEqualTo(
          "vault: reading secret 'db' failed: Vault has no such path (check mount and namespace) (HTTP 404)");
    }
  }

  @Test
  void policyDenial_isPermissionDenied() {
    try (VaultBackend readOnly = TestVault.tokenBackend(fake, "hvs.read-only")) {
      BackendException e = failure(() -> readOnly.write(WriteRequest.put("db", SecretValue.of(new byte[] {1}))));
      assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
      assertThat(e.getMessage()).isEqualTo("vault: writing secret 'db' failed: permission denied (HTTP 403)");
    }
  }

  @Test
  void writeThatCannotRecordStages_stillSucceeds_andReadersRollForward() {
    fake.addToken("hvs.no-metadata-write",
        (op, path) -> !(op.equals("update") && path.startsWith("secret/metadata/")));
    try (VaultBackend limited = TestVault.tokenBackend(fake, "hvs.no-metadata-write")) {
      limited.write(WriteRequest.put("db", SecretValue.of("one".getBytes(UTF_8))));
      limited.write(WriteRequest.put("db", SecretValue.of("two".getBytes(UTF_8))));
    }
    assertThat(fake.customMetadata("db")).isNull();
    assertThat(new String(backend.read(SecretRef.current("db")).value().bytes(), UTF_8)).isEqualTo("two");
    assertThat(backend.read(SecretRef.ofStage("db", Stage.PREVIOUS)).info().version()).isEqualTo("1");
  }

  @Test
  void unreachableVault_isUnavailable_andUnhealthy_untilItIsBack() throws Exception {
    backend.write(WriteRequest.put("db", SecretValue.of(new byte[] {1})));
    fake.stop();
    try {
      BackendException e = readFailure();
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).startsWith("vault: reading secret 'db' failed: cannot reach Vault at http://127.0.0.1:");
      assertThat(backend.healthy()).isFalse();
    } finally {
      fake.start();
    }
    assertThat(backend.healthy()).isTrue();
  }

  @Test
  void slowVault_timesOut_asUnavailable() {
    Map<String, Object> settings = TestVault.tokenSettings(fake.address());
    settings.put("timeout", "300ms");
    try (VaultBackend impatient = TestVault.backend(settings, Map.of("VAULT_TEST_TOKEN", TOKEN),
        Clock.systemUTC())) {
      fake.hang();
      long start = System.nanoTime();
      BackendException e = failure(() -> impatient.read(SecretRef.current("db")));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(e.code()).as("%s", e.getCause()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("did not answer within 300ms");
      assertThat(tookMillis).isLessThan(5_000);
    } finally {
      fake.release();
    }
  }

  @Test
  void healthy_afterASuccessfulCall_sendsNoProbe() {
    backend.write(WriteRequest.put("db", SecretValue.of(new byte[] {1})));
    fake.clearRequests();
    assertThat(backend.healthy()).isTrue();
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void healthy_beforeAnyCall_probesSysHealthWithoutAToken() {
    assertThat(backend.healthy()).isTrue();
    assertThat(fake.requests()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/v1/sys/health");
      assertThat(r.hadToken()).isFalse();
    });
  }
}
