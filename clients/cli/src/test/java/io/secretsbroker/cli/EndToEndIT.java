package io.secretsbroker.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.client.FailedPreconditionException;
import io.secretsbroker.client.Secret;
import io.secretsbroker.client.SecretNotFoundException;
import io.secretsbroker.client.SecretsClient;
import io.secretsbroker.client.Stage;
import io.secretsbroker.client.Subscription;
import io.secretsbroker.client.VersionMetadata;
import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.grpc.BrokerServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real daemon (dev mode, in-process, loopback port) driven by the real Java SDK and the real sbctl. */
class EndToEndIT {
  @TempDir
  Path tmp;
  BrokerServer server;
  Path data;
  String token;
  SecretsClient client;

  @BeforeEach
  void start() throws Exception {
    data = tmp.resolve("data");
    BrokerConfig cfg = BrokerConfig.load(null, Map.of("SECRETS_BROKER_DATA_DIR", data.toString(),
        "SECRETS_BROKER_LISTEN", "127.0.0.1:0", "SECRETS_BROKER_METRICS_LISTEN", "off"));
    server = BrokerServer.start(cfg, Clock.systemUTC());
    token = Files.readString(data.resolve("root-token")).trim();
    client = SecretsClient.builder().address("127.0.0.1:" + server.port()).plaintext().token(token)
        .deadline(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  /** Runs sbctl in-process with the dev token file, like a user in the repo would. */
  private record Run(int exit, String out, String err) {}

  private Run sbctl(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    env.put("SECRETS_BROKER_ADDR", "127.0.0.1:" + server.port());
    env.put("SECRETS_BROKER_TOKEN_FILE", data.resolve("root-token").toString());
    int exit = new Sbctl(env, new ByteArrayInputStream(stdin.getBytes(UTF_8)), new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8)).run(args);
    return new Run(exit, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void sbctl_putGetListDescribeDelete_againstTheRealDaemon() {
    assertThat(sbctl("hunter2", "put", "trading/db-password").exit()).isZero();
    assertThat(sbctl("hunter3", "put", "trading/db-password").exit()).isZero();
    Run get = sbctl("", "get", "trading/db-password");
    assertThat(get.exit()).isZero();
    assertThat(get.out()).isEqualTo("hunter3");
    assertThat(sbctl("", "get", "trading/db-password", "--stage", "previous").out()).isEqualTo("hunter2");
    assertThat(sbctl("", "get", "trading/db-password", "--json").out()).contains("\"version\"")
        .contains("\"value_base64\"");
    assertThat(sbctl("", "list", "trading/").out()).contains("trading/db-password");
    Run describe = sbctl("", "describe", "trading/db-password");
    assertThat(describe.out()).contains("local").doesNotContain("hunter");
    assertThat(sbctl("", "delete", "trading/db-password").exit()).isZero();
    Run missing = sbctl("", "get", "trading/db-password");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).startsWith("error: NOT_FOUND");
    Run bad = sbctl("", "get", "bad name");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).startsWith("error: INVALID_ARGUMENT: name:");
  }

  @Test
  void sdk_roundTrip_andTypedErrors() {
    VersionMetadata v1 = client.put("app/api-key", "k1".getBytes(UTF_8));
    client.put("app/api-key", "k2".getBytes(UTF_8));
    Secret s = client.get("app/api-key");
    assertThat(s.valueAsString()).isEqualTo("k2");
    assertThat(s.stages()).containsExactly(Stage.CURRENT);
    assertThat(s.cacheTtl()).isEqualTo(Duration.ofSeconds(300));
    assertThat(s.toString()).doesNotContain("k2");
    assertThat(client.getVersion("app/api-key", v1.version()).valueAsString()).isEqualTo("k1");
    assertThat(client.list("app/").map(x -> x.name()).toList()).containsExactly("app/api-key");
    assertThat(client.describe("app/api-key").backend()).isEqualTo("local");
    assertThatThrownBy(() -> client.put("app/api-key", "k3".getBytes(UTF_8), v1.version()))
        .isInstanceOf(FailedPreconditionException.class);
    client.delete("app/api-key");
    assertThatThrownBy(() -> client.get("app/api-key")).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void revocation_aClientReadingInALoopNeverGetsTheRevokedVersionAfterRevokeReturns() throws Exception {
    VersionMetadata leaked = client.put("pay/db", "leaked".getBytes(UTF_8));
    client.get("pay/db"); // cached now
    AtomicBoolean revoked = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    List<String> servedAfterRevoke = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        boolean after = revoked.get(); // read before the call: only calls begun after revoke returned count
        try {
          Secret s = client.get("pay/db");
          if (after) {
            servedAfterRevoke.add(s.version());
          }
        } catch (RuntimeException e) {
          // refused: expected after the revocation
        }
      }
    });
    reader.start();
    Thread.sleep(200);
    client.revocation().revoke("pay/db", leaked.version(), "leaked in a CI log");
    revoked.set(true);
    Thread.sleep(300);
    VersionMetadata fresh = client.put("pay/db", "fresh".getBytes(UTF_8));
    Thread.sleep(300);
    stop.set(true);
    reader.join(10_000);
    assertThat(servedAfterRevoke).doesNotContain(leaked.version()).contains(fresh.version());
    assertThatThrownBy(() -> client.getVersion("pay/db", leaked.version()))
        .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("revoked");
    assertThat(sbctl("", "revocations", "list").out()).contains("pay/db").contains("leaked in a CI log");
  }

  @Test
  void subscribe_followsUpdatesAndDropsRevokedValues() throws Exception {
    client.put("live/conf", "one".getBytes(UTF_8));
    AtomicReference<String> seen = new AtomicReference<>();
    try (Subscription sub = client.subscribe("live/conf", s -> seen.set(s == null ? null : s.valueAsString()))) {
      assertThat(sub.current().valueAsString()).isEqualTo("one");
      Thread.sleep(300); // let the watch stream open
      VersionMetadata two = client.put("live/conf", "two".getBytes(UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!"two".equals(seen.get()) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(seen.get()).isEqualTo("two");
      assertThat(sub.current().version()).isEqualTo(two.version());
    }
  }

  @Test
  void subscribe_receivesTheValueOfAnOnDemandRotation() throws Exception {
    client.put("rot/db", "before-rotation".getBytes(UTF_8));
    AtomicReference<Secret> seen = new AtomicReference<>();
    try (Subscription sub = client.subscribe("rot/db", seen::set)) {
      String before = sub.current().version();
      Thread.sleep(300); // let the watch stream open
      var rotated = client.rotation().rotate("rot/db");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while ((seen.get() == null || !seen.get().version().equals(rotated.getNewVersion()))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(seen.get().version()).isEqualTo(rotated.getNewVersion()).isNotEqualTo(before);
      assertThat(seen.get().valueAsString()).isNotEqualTo("before-rotation").hasSize(32);
      assertThat(client.get("rot/db", Stage.PREVIOUS).valueAsString()).isEqualTo("before-rotation");
    }
    assertThat(sbctl("", "rotation", "status", "rot/db").out()).contains("idle");
  }

  @Test
  void auditorView_throughSbctl() {
    sbctl("v", "put", "a/one");
    sbctl("", "get", "a/one");
    Run q = sbctl("", "audit", "query", "--prefix", "a/", "--json");
    assertThat(q.exit()).isZero();
    assertThat(q.out()).contains("GetSecret").contains("\"principal\"").doesNotContain(token);
    Run verify = sbctl("", "audit", "verify");
    assertThat(verify.exit()).isZero();
    Run summary = sbctl("", "audit", "summary", "--format", "csv");
    assertThat(summary.out()).contains("a/one");
    Set<String> lines = ConcurrentHashMap.newKeySet();
    lines.addAll(summary.out().lines().toList());
    assertThat(lines).isNotEmpty();
  }
}
