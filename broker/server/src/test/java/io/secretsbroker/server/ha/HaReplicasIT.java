package io.secretsbroker.server.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.core.rotation.RotationScheduler.ScanReport;
import io.secretsbroker.core.rotation.RotationSettings;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretResponse;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.ReplicaChain;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.RotationStatus;
import io.secretsbroker.proto.v1.SecretsServiceGrpc.SecretsServiceBlockingStub;
import io.secretsbroker.proto.v1.Stage;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.proto.v1.VersionInfo;
import io.secretsbroker.server.ha.HaCluster.Replica;
import io.secretsbroker.testkit.FakeClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers on one PostgreSQL database, driven through their gRPC APIs: what one replica does, the others
 * see; revocations propagate within the bound (measured); concurrent audited reads on every replica leave one
 * valid chain per replica; and when the rotation leader dies mid-rotation, another replica finishes that rotation.
 * The replicas share one fake clock (the rotation test moves time); propagation is timed with the real one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class HaReplicasIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir
  static Path dir;
  final FakeClock clock = new FakeClock();
  HaCluster cluster;
  String token;

  @BeforeAll
  void startReplicas() throws Exception {
    cluster = HaCluster.start(dir, 3, clock);
    token = cluster.rootToken();
  }

  @AfterAll
  void stopReplicas() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private SecretsServiceBlockingStub secrets(Replica r) {
    return r.broker.secrets(token);
  }

  private String put(Replica r, String name, String value) {
    return secrets(r).putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8(value))
        .build()).getVersion().getVersion();
  }

  private GetSecretResponse get(Replica r, String name) {
    return secrets(r).getSecret(GetSecretRequest.newBuilder().setName(name).build());
  }

  private static long awaitMillis(String what, Duration limit, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(2);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static String percentiles(List<Double> sortedMillis) {
    int n = sortedMillis.size();
    return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", sortedMillis.get((n - 1) / 2),
        sortedMillis.get((int) Math.ceil(0.99 * n) - 1), sortedMillis.get(n - 1), n);
  }

  @Test
  @Order(1)
  void aWriteOnOneReplica_isReadOnTheOthers_andReplacesTheirCachedValue() throws Exception {
    Replica a = cluster.get(0);
    Replica b = cluster.get(1);
    Replica c = cluster.get(2);
    put(a, "app/db", "first");
    assertThat(get(b, "app/db").getValue().toStringUtf8()).isEqualTo("first");
    assertThat(get(c, "app/db").getValue().toStringUtf8()).isEqualTo("first");
    assertThat(get(b, "app/db").getValue().toStringUtf8()).as("now cached on B").isEqualTo("first");

    put(a, "app/db", "second");
    long waited = awaitMillis("B and C drop their cached value", BOUND,
        () -> get(b, "app/db").getValue().toStringUtf8().equals("second")
            && get(c, "app/db").getValue().toStringUtf8().equals("second"));
    System.out.println("HA figure: a put on A replaced the value cached on B and C after " + waited + " ms");
  }

  @Test
  @Order(2)
  void aRevocationOnOneReplica_isRefusedByTheOthersWithinTheBound() throws Exception {
    Replica a = cluster.get(0);
    List<Replica> others = List.of(cluster.get(1), cluster.get(2));
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String name = "leak/s" + i;
      String version = put(a, name, "value-" + i);
      for (Replica r : others) {
        get(r, name);
        assertThat(get(r, name).getVersion()).as("cached on " + r).isEqualTo(version);
      }
      a.broker.revocation(token).revokeSecretVersion(RevokeSecretVersionRequest.newBuilder().setName(name)
          .setVersion(version).setReason("leaked in test " + i).build());
      long revoked = System.nanoTime();
      long[] refusedAt = new long[others.size()];
      long deadline = revoked + BOUND.toNanos();
      int refused = 0;
      while (refused < others.size()) {
        assertThat(System.nanoTime()).as("refused within " + BOUND).isLessThan(deadline);
        for (int k = 0; k < others.size(); k++) {
          if (refusedAt[k] != 0) {
            continue;
          }
          try {
            get(others.get(k), name);
          } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            refusedAt[k] = System.nanoTime();
            refused++;
          }
        }
      }
      for (long t : refusedAt) {
        millis.add((t - revoked) / 1e6);
      }
    }
    Collections.sort(millis);
    System.out.println("HA figure: revocation on A -> refused on B and C (LISTEN/NOTIFY, poll fallback 1 s): "
        + percentiles(millis));
    assertThat(millis.get(millis.size() - 1)).isLessThan((double) BOUND.toMillis());
  }

  @Test
  @Order(3)
  void concurrentAuditedReadsOnEveryReplica_leaveOneValidChainPerReplica_withOneRecordPerRequest() throws Exception {
    for (Replica r : cluster.replicas) {
      put(r, "chain/" + r.name, "value of " + r.name);
    }
    Map<Replica, Long> before = new HashMap<>();
    for (Replica r : cluster.replicas) {
      before.put(r, r.journal().durableSequence());
    }
    int threadsPerReplica = 4;
    int readsPerThread = 40;
    int requestsPerReplica = threadsPerReplica * readsPerThread;
    ExecutorService pool = Executors.newFixedThreadPool(threadsPerReplica * cluster.replicas.size());
    AtomicInteger ok = new AtomicInteger();
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Replica r : cluster.replicas) {
        for (int t = 0; t < threadsPerReplica; t++) {
          running.add(pool.submit(() -> {
            for (int i = 0; i < readsPerThread; i++) {
              get(r, "chain/" + cluster.get(i % cluster.replicas.size()).name);
              ok.incrementAndGet();
            }
            return null;
          }));
        }
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int requests = requestsPerReplica * cluster.replicas.size();
    System.out.printf("HA figure: %d audited reads over 3 replicas, 12 client threads: %.0f reads/s%n", requests,
        requests / seconds);
    assertThat(ok.get()).isEqualTo(requests);

    Map<Replica, Long> after = new HashMap<>();
    for (Replica r : cluster.replicas) {
      after.put(r, r.journal().durableSequence());
      assertThat(after.get(r) - before.get(r)).as("one journal record per request on " + r)
          .isEqualTo(requestsPerReplica);
    }
    cluster.awaitIndexCaughtUp(Duration.ofSeconds(30));
    Set<String> requestIds = new HashSet<>();
    for (Replica r : cluster.replicas) {
      HaCluster.IndexExtent reads = cluster.indexExtent(r, before.get(r), after.get(r));
      assertThat(reads.rows()).as("one index row per request on " + r).isEqualTo(requestsPerReplica);
      assertThat(reads.requests()).as("no record of " + r + " written twice").isEqualTo(requestsPerReplica);
      assertThat(reads.first()).isEqualTo(before.get(r) + 1);
      assertThat(reads.last()).isEqualTo(after.get(r));
      requestIds.addAll(requestIdsOf(r, before.get(r), after.get(r)));
    }
    assertThat(requestIds).as("no request recorded by two replicas").hasSize(requests);

    VerifyAuditChainResponse verified = cluster.get(1).broker.audit(token)
        .verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(verified.getOk()).as(verified.getReason()).isTrue();
    assertThat(verified.getReplica()).isEqualTo(cluster.get(1).auditReplica);
    assertThat(verified.getReplicasList()).as("every replica's chain is verified, each on its own")
        .extracting(ReplicaChain::getReplica)
        .containsExactlyInAnyOrder(cluster.replicas.stream().map(r -> r.auditReplica).toArray(String[]::new));
    for (Replica r : cluster.replicas) {
      ReplicaChain chain = verified.getReplicasList().stream().filter(c -> c.getReplica().equals(r.auditReplica))
          .findFirst().orElseThrow();
      assertThat(chain.getOk()).as(chain.getReason()).isTrue();
      assertThat(chain.getSource()).isEqualTo(r == cluster.get(1) ? "journal" : "index");
      assertThat(chain.getRecordsChecked()).as("records of " + r + " checked").isGreaterThanOrEqualTo(after.get(r));
    }
  }

  private Set<String> requestIdsOf(Replica r, long after, long upTo) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = cluster.db.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT request_id FROM sb_audit_index WHERE replica = ? AND seq > ? AND seq <= ?")) {
      ps.setString(1, r.auditReplica);
      ps.setLong(2, after);
      ps.setLong(3, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  @Test
  @Order(4)
  void oneReplicaLeadsRotation_andWhenItDiesMidRotationAnotherFinishesIt_withExactlyOneNewVersion()
      throws Exception {
    List<Replica> leaders = new ArrayList<>();
    for (Replica r : cluster.replicas) {
      if (r.broker.server().rotationScheduler().runOnce().leader()) {
        leaders.add(r);
      }
    }
    assertThat(leaders).as("exactly one replica holds the leader lock").hasSize(1);
    Replica leader = leaders.get(0);
    List<Replica> others = new ArrayList<>(cluster.replicas);
    others.remove(leader);

    String first = put(leader, "rot/db", "initial");
    clock.advance(Duration.ofHours(2));
    GatedBackendProvider.Gate gate = GatedBackendProvider.arm(leader.dataDir, "db");
    CompletableFuture<ScanReport> dying = CompletableFuture.supplyAsync(
        () -> leader.broker.server().rotationScheduler().runOnce());
    assertThat(gate.reached.await(30, TimeUnit.SECONDS)).as("the leader wrote the pending version").isTrue();

    leader.proxy.cut();
    gate.release.countDown();
    ScanReport died = dying.get(60, TimeUnit.SECONDS);
    assertThat(died.rotated()).isZero();

    clock.advance(RotationSettings.SHARED_STATE_TAKEOVER_AFTER.plusMinutes(1));
    Replica[] successor = new Replica[1];
    long waited = awaitMillis("another replica takes the lead and finishes the rotation", Duration.ofSeconds(30),
        () -> {
          for (Replica r : others) {
            ScanReport report = r.broker.server().rotationScheduler().runOnce();
            if (report.leader() && report.rotated() == 1) {
              successor[0] = r;
              return true;
            }
          }
          return false;
        });
    System.out.println("HA figure: a follower took the leader lock and resumed the dead leader's rotation "
        + waited + " ms after the leader's database sessions were cut");
    for (Replica r : others) {
      if (r != successor[0]) {
        assertThat(r.broker.server().rotationScheduler().runOnce().leader()).as("one leader only").isFalse();
      }
    }

    Replica reader = others.get(0);
    DescribeSecretResponse described = secrets(reader).describeSecret(DescribeSecretRequest.newBuilder()
        .setName("rot/db").build());
    assertThat(described.getVersionsList()).as("the pending version written before the crash was adopted, not"
        + " written again").hasSize(2);
    VersionInfo current = described.getVersionsList().stream().filter(v -> v.getStagesList()
        .contains(Stage.STAGE_CURRENT)).findFirst().orElseThrow();
    assertThat(current.getVersion()).isNotEqualTo(first);
    assertThat(described.getVersionsList()).filteredOn(v -> v.getStagesList().contains(Stage.STAGE_CURRENT))
        .hasSize(1);
    assertThat(described.getVersionsList()).filteredOn(v -> v.getVersion().equals(first)).singleElement()
        .satisfies(v -> assertThat(v.getStagesList()).contains(Stage.STAGE_PREVIOUS));
    for (Replica r : others) {
      GetSecretResponse value = get(r, "rot/db");
      assertThat(value.getVersion()).isEqualTo(current.getVersion());
      assertThat(value.getValue().toStringUtf8()).isNotEqualTo("initial");
    }
    RotationStatus status = RotationServiceGrpc.newBlockingStub(reader.broker.channel())
        .withCallCredentials(io.secretsbroker.server.TestBroker.bearer(token)).withDeadlineAfter(20, TimeUnit.SECONDS)
        .getRotationStatus(GetRotationStatusRequest.newBuilder().setName("rot/db").build());
    assertThat(status.getState()).isEqualTo("idle");
  }
}
