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
import io.secretsbroker.proto.v1.ReplicaChain;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.server.Poll;
import io.secretsbroker.server.ha.HaCluster.Replica;
import io.secretsbroker.server.ha.PgProxy.IndexCut;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The state database failing under three replicas: the path from every replica to PostgreSQL is cut and restored
 * while clients read, and the audit indexer's session is dropped in the middle of a batch. Each replica's audit
 * journal is local, so reads served from the caches go on being answered and recorded during the outage; reads
 * that need the database fail closed, as UNAVAILABLE, and are recorded too. Once the database is back, every
 * replica's index catches up with its journal: exactly one row for every request, and every chain verifies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class HaOutageIT {
  private static final Duration INDEX_CATCH_UP = Duration.ofSeconds(60);

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
    return read(r, token, name);
  }

  private Outcome read(Replica r, String bearer, String name) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      r.broker.secrets(bearer).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
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

  private long awaitOk(Replica r, String name, Duration limit) {
    return Poll.until(r + " serves reads again", limit, () -> read(r, name).code() == Status.Code.OK);
  }

  /** The outcomes recorded in the index for each GetSecret request id, across replicas. */
  private Map<String, List<String>> readOutcomesByRequestId() throws Exception {
    Map<String, List<String>> out = new HashMap<>();
    try (Connection c = cluster.db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id, outcome FROM sb_audit_index"
            + " WHERE method LIKE '%/GetSecret'")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return out;
  }

  private long indexRowsOf(String requestId) throws Exception {
    try (Connection c = cluster.db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM sb_audit_index WHERE request_id = ?")) {
      ps.setString(1, requestId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The index holds each of the replica's journal records exactly once: sequences 1 to the newest, no gap. */
  private void assertIndexMatchesJournal(Replica r) {
    long durable = r.journal().durableSequence();
    HaCluster.IndexExtent index = cluster.indexExtent(r);
    assertThat(index.rows()).as("index rows of " + r + " (journal holds " + durable + ")").isEqualTo(durable);
    assertThat(index.first()).as("first indexed record of " + r).isEqualTo(1);
    assertThat(index.last()).as("newest indexed record of " + r).isEqualTo(durable);
  }

  private void assertEveryChainValid() {
    VerifyAuditChainResponse v = cluster.get(0).broker.audit(token)
        .verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(v.getOk()).as(v.getReason()).isTrue();
    assertThat(v.getReplicasList()).as("one chain per replica").hasSize(cluster.replicas.size())
        .allSatisfy(chain -> assertThat(chain.getOk()).as(chain.getReason()).isTrue())
        .extracting(ReplicaChain::getReplica)
        .containsExactlyInAnyOrder(cluster.replicas.stream().map(r -> r.auditReplica).toArray(String[]::new));
  }

  @Test
  @Order(1)
  void databaseOutageUnderLoad_cachedReadsGoOnAndTheRestFailClosed_andTheIndexCatchesUpWithEveryRecord()
      throws Exception {
    cluster.get(0).broker.secrets(token).putSecret(PutSecretRequest.newBuilder().setName("load/k")
        .setValue(ByteString.copyFromUtf8("v")).build());
    for (Replica r : cluster.replicas) {
      assertThat(read(r, "load/k").code()).isEqualTo(Status.Code.OK);
    }
    String unseenToken = cluster.get(0).broker.admin(token).createToken(CreateTokenRequest.newBuilder()
        .setPrincipal("late-client").addPolicies("root").build()).getToken();
    // A token first used when the load starts: every replica has just looked it up when the database goes away,
    // so its reads are served from the caches for a while (the token lookup cache keeps it for a few seconds).
    String loadToken = cluster.get(0).broker.admin(token).createToken(CreateTokenRequest.newBuilder()
        .setPrincipal("load-client").addPolicies("root").build()).getToken();

    Map<Status.Code, Integer> refusals = new ConcurrentHashMap<>();
    Map<String, Integer> answeredDuringOutage = new ConcurrentHashMap<>();
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
            boolean startedInOutage = outage.get();
            Outcome o = read(r, loadToken, "load/k");
            if (o.code() == Status.Code.OK) {
              if (startedInOutage) {
                answeredDuringOutage.merge(r.name, 1, Integer::sum);
              }
            } else {
              refusals.merge(o.code(), 1, Integer::sum);
              if (startedInOutage && refusedDuringOutage.merge(r.name, 1, Integer::sum) == 1) {
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
      Poll.until("load on every replica", Duration.ofSeconds(30), () -> answered.size() >= 150);
      loadBefore = answered.size();
      long cutAt = System.nanoTime();
      cluster.replicas.forEach(r -> r.proxy.cut());
      outage.set(true);

      Poll.until("every replica answers reads from its caches while the database is away", Duration.ofSeconds(30),
          () -> cluster.replicas.stream().allMatch(r -> answeredDuringOutage.getOrDefault(r.name, 0) >= 20));
      for (Replica r : cluster.replicas) {
        assertThat(r.broker.server().audit().indexedSequence()).as(r + " journaled records its index cannot take")
            .isLessThan(r.journal().durableSequence());
      }
      assertThatThrownBy(() -> cluster.get(1).broker.secrets(unseenToken)
          .getSecret(GetSecretRequest.newBuilder().setName("load/k").build()))
          .as("a token B has not cached cannot be checked: refused as UNAVAILABLE, not UNKNOWN")
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
              .isEqualTo(Status.Code.UNAVAILABLE));
      // Keep the database away until the load token has left every replica's lookup cache: from then on each read
      // needs the database, and must fail closed.
      assertThat(everyReplicaRefused.await(60, TimeUnit.SECONDS))
          .as("every replica refused reads it could not check").isTrue();
      int answeredAtRestore = answered.size();
      cluster.replicas.forEach(r -> r.proxy.restore());
      outage.set(false);
      outageMillis = (System.nanoTime() - cutAt) / 1_000_000;
      for (Replica r : cluster.replicas) {
        recoveryMillis.put(r.name, awaitOk(r, "load/k", Duration.ofSeconds(60)));
      }
      int answeredAfterRecovery = answered.size();
      Poll.until("load after the recovery", Duration.ofSeconds(30),
          () -> answered.size() >= answeredAfterRecovery + 150);
      System.out.println("HA figure: database cut for " + outageMillis + " ms under load; answered before the cut "
          + loadBefore + ", by the restore " + answeredAtRestore + " (during the outage, by replica: "
          + answeredDuringOutage + "); refusals " + refusals + "; replicas serving again after (ms) "
          + recoveryMillis);
    } finally {
      stop.set(true);
      for (Future<?> f : load) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
    }

    assertThat(refusals.keySet()).as("reads fail closed, and only as UNAVAILABLE")
        .containsOnly(Status.Code.UNAVAILABLE);
    long caughtUpMillis = cluster.awaitIndexCaughtUp(INDEX_CATCH_UP);
    for (Replica r : cluster.replicas) {
      assertIndexMatchesJournal(r);
    }
    Map<String, List<String>> records = readOutcomesByRequestId();
    assertThat(answered).as("every answered read has exactly one record, OK")
        .allSatisfy(id -> assertThat(records.get(id)).containsExactly("OK"));
    assertThat(refused).as("every refused read has exactly one record, UNAVAILABLE")
        .allSatisfy(id -> assertThat(records.get(id)).containsExactly("UNAVAILABLE"));
    assertThat(records.values()).as("no read recorded twice").allSatisfy(outcomes -> assertThat(outcomes).hasSize(1));
    System.out.println("HA figure: " + answered.size() + " answered and " + refused.size() + " refused reads, each"
        + " with exactly one audit record; the indexes caught up " + caughtUpMillis + " ms after the load stopped");
    assertEveryChainValid();
  }

  @ParameterizedTest
  @EnumSource(IndexCut.class)
  @Order(2)
  void aConnectionDroppedInTheMiddleOfAnIndexBatch_neitherLosesNorDuplicatesIndexRows(IndexCut where)
      throws Exception {
    Replica a = cluster.get(0);
    awaitOk(a, "load/k", Duration.ofSeconds(30));
    cluster.awaitIndexCaughtUp(INDEX_CATCH_UP);
    CountDownLatch dropped = a.proxy.dropNextIndexBatch(where);

    Outcome o = read(a, "load/k");

    assertThat(o.code()).as("the record is in the journal: the read is answered whatever the index does")
        .isEqualTo(Status.Code.OK);
    assertThat(dropped.await(30, TimeUnit.SECONDS)).as("the proxy dropped the indexer's session " + where).isTrue();
    if (where == IndexCut.AFTER_THE_COMMIT) {
      assertThat(indexRowsOf(o.requestId())).as("the batch was committed, though the indexer never heard so")
          .isEqualTo(1);
    }
    cluster.awaitIndexCaughtUp(INDEX_CATCH_UP);
    assertThat(indexRowsOf(o.requestId())).as("the read has exactly one index row").isEqualTo(1);
    assertIndexMatchesJournal(a);

    assertThat(read(a, "load/k").code()).isEqualTo(Status.Code.OK);
    cluster.awaitIndexCaughtUp(INDEX_CATCH_UP);
    assertIndexMatchesJournal(a);
    assertEveryChainValid();
  }
}
