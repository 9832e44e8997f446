package io.secretsbroker.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.server.ha.HaCluster.Replica;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state database failing under three replicas: the path from every replica to PostgreSQL is cut and restored
 * while clients read, and one audit commit is cut after the server received it. Reads fail closed while the audit
 * cannot be written, recover by themselves, and the audit log ends up with exactly one record for every request
 * that was answered, in one valid chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class HaOutageIT {
  @TempDir
  static Path dir;
  HaCluster cluster;
  String token;

  @BeforeAll
  void startReplicas() throws Exception {
    cluster = HaCluster.start(dir, 3, Clock.systemUTC());
    token = cluster.rootToken();
  }

  @AfterAll
  void stopReplicas() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One read's outcome and the request id the broker gave it. */
  private record Outcome(Status.Code code, String requestId) {}

  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  /** Request ids of every read this test made that was answered, and of every one that was refused. */
  final Set<String> answered = ConcurrentHashMap.newKeySet();
  final Set<String> refused = ConcurrentHashMap.newKeySet();

  private Outcome read(Replica r, String name) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      r.broker.secrets(token).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
          .getSecret(GetSecretRequest.newBuilder().setName(name).build());
      String id = headers.get().get(REQUEST_ID);
      answered.add(id);
      return new Outcome(Status.Code.OK, id);
    } catch (StatusRuntimeException e) {
      Metadata t = e.getTrailers();
      String id = t == null ? null : t.get(REQUEST_ID);
      if (id != null) {
        refused.add(id);
      }
      return new Outcome(e.getStatus().getCode(), id);
    }
  }

  private long awaitOk(Replica r, String name, Duration limit) throws InterruptedException {
    long start = System.nanoTime();
    while (read(r, name).code() != Status.Code.OK) {
      if (System.nanoTime() - start > limit.toNanos()) {
        throw new AssertionError(r + " did not recover within " + limit);
      }
      Thread.sleep(50);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private Map<String, Integer> recordsByRequestId() throws Exception {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = cluster.db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id, COUNT(*) FROM sb_audit GROUP BY request_id")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getInt(2));
      }
    }
    return out;
  }

  private void assertChainValid() {
    VerifyAuditChainResponse v = cluster.get(0).broker.audit(token)
        .verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(v.getOk()).as(v.getReason()).isTrue();
  }

  @Test
  @Order(1)
  void databaseOutageUnderLoad_failsClosed_recoversByItself_andLosesNoAuditRecord() throws Exception {
    cluster.get(0).broker.secrets(token).putSecret(PutSecretRequest.newBuilder().setName("load/k")
        .setValue(ByteString.copyFromUtf8("v")).build());
    for (Replica r : cluster.replicas) {
      assertThat(read(r, "load/k").code()).isEqualTo(Status.Code.OK);
    }
    String unseenToken = cluster.get(0).broker.admin(token).createToken(CreateTokenRequest.newBuilder()
        .setPrincipal("late-client").addPolicies("root").build()).getToken();

    Map<Status.Code, Integer> refusals = new ConcurrentHashMap<>();
    Map<String, Integer> refusedDuringOutage = new ConcurrentHashMap<>();
    AtomicBoolean outage = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch everyReplicaRefused = new CountDownLatch(cluster.replicas.size());
    ExecutorService pool = Executors.newFixedThreadPool(2 * cluster.replicas.size());
    List<Future<?>> load = new ArrayList<>();
    for (Replica r : cluster.replicas) {
      for (int t = 0; t < 2; t++) {
        load.add(pool.submit(() -> {
          for (int i = 0; i < 100_000 && !stop.get(); i++) {
            Outcome o = read(r, "load/k");
            if (o.code() != Status.Code.OK) {
              refusals.merge(o.code(), 1, Integer::sum);
              if (outage.get() && refusedDuringOutage.merge(r.name, 1, Integer::sum) == 1) {
                everyReplicaRefused.countDown();
              }
            }
          }
          return null;
        }));
      }
    }
    int loadBefore;
    long outageMillis;
    Map<String, Long> recoveryMillis = new HashMap<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (answered.size() < 200 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      loadBefore = answered.size();
      long cutAt = System.nanoTime();
      outage.set(true);
      cluster.replicas.forEach(r -> r.proxy.cut());
      assertThat(everyReplicaRefused.await(60, TimeUnit.SECONDS)).as("every replica refused reads").isTrue();
      assertThatThrownBy(() -> cluster.get(1).broker.secrets(unseenToken)
          .getSecret(GetSecretRequest.newBuilder().setName("load/k").build()))
          .as("a token B has not cached cannot be checked: refused as UNAVAILABLE, not UNKNOWN")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
              .isEqualTo(Status.Code.UNAVAILABLE));
      // Keep the database away longer than the audit append timeout (2 s), as a restart would.
      long minimumOutage = cutAt + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < minimumOutage) {
        Thread.sleep(50);
      }
      int answeredAtRestore = answered.size();
      cluster.replicas.forEach(r -> r.proxy.restore());
      outage.set(false);
      outageMillis = (System.nanoTime() - cutAt) / 1_000_000;
      for (Replica r : cluster.replicas) {
        recoveryMillis.put(r.name, awaitOk(r, "load/k", Duration.ofSeconds(60)));
      }
      int answeredAfterRecovery = answered.size();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (answered.size() < answeredAfterRecovery + 200 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      System.out.println("HA figure: database cut for " + outageMillis + " ms under load; answered before the cut "
          + loadBefore + ", by the restore " + answeredAtRestore + "; refusals " + refusals
          + "; replicas serving again after (ms) " + recoveryMillis);
    } finally {
      stop.set(true);
      for (Future<?> f : load) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
    }

    assertThat(refusals.keySet()).as("reads fail closed, and only as UNAVAILABLE")
        .containsOnly(Status.Code.UNAVAILABLE);
    Map<String, Integer> records = recordsByRequestId();
    assertThat(answered).as("every answered read has its record").allSatisfy(id -> assertThat(records).containsKey(id));
    assertThat(records.values()).as("no record written twice").allSatisfy(n -> assertThat(n).isEqualTo(1));
    long refusedButRecorded = refused.stream().filter(records::containsKey).count();
    System.out.println("HA figure: " + answered.size() + " answered reads, each with exactly one audit record; "
        + refused.size() + " refused reads, of which " + refusedButRecorded + " have a record (commit outcome"
        + " unknown when they were refused)");
    assertChainValid();
  }

  @Test
  @Order(2)
  void aConnectionDroppedDuringTheAuditCommit_neitherLosesNorDuplicatesTheRecord() throws Exception {
    Replica a = cluster.get(0);
    awaitOk(a, "load/k", Duration.ofSeconds(30));
    long before = cluster.auditHead();
    CountDownLatch cut = a.proxy.cutAtNextAuditCommit();

    Outcome o = read(a, "load/k");

    assertThat(cut.await(10, TimeUnit.SECONDS)).as("the proxy dropped the audit commit's connection").isTrue();
    assertThat(o.code()).as("the writer found its batch committed and released the caller")
        .isEqualTo(Status.Code.OK);
    try (Connection c = cluster.db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM sb_audit WHERE request_id = ?")) {
      ps.setString(1, o.requestId());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
    }
    assertThat(cluster.auditHead()).isEqualTo(before + 1);
    assertThat(read(a, "load/k").code()).isEqualTo(Status.Code.OK);
    assertThat(cluster.auditHead()).as("the chain goes on with no gap").isEqualTo(before + 2);
    assertChainValid();
  }
}
