package io.secretsbroker.server.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.SecretsServiceGrpc.SecretsServiceBlockingStub;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.server.ha.HaCluster.Replica;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each replica writes its own audit journal and chain: there is no lock shared across replicas on the read path.
 * A replica whose database session is frozen in the middle of a transaction (its audit indexer's) does not stop or
 * slow the audited reads of the others; and the same offered load is served by one replica or spread over three.
 * Figures are printed as "HA figure:" lines; only correctness is asserted (the machine is shared).
 */
class HaAuditScalingIT {
  private static final int THREADS = 12;
  private static final int READS_PER_THREAD = 250;

  @TempDir
  Path dir;
  HaCluster cluster;
  String token;

  @BeforeEach
  void start() throws Exception {
    cluster = HaCluster.start(dir, 3, Clock.systemUTC());
    token = cluster.rootToken();
    cluster.get(0).broker.secrets(token).putSecret(PutSecretRequest.newBuilder().setName("scale/db-password")
        .setValue(ByteString.copyFromUtf8("s3cr3t")).build());
    for (Replica r : cluster.replicas) {
      r.broker.secrets(token).getSecret(read()); // warm the token and value caches
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static GetSecretRequest read() {
    return GetSecretRequest.newBuilder().setName("scale/db-password").build();
  }

  /** Runs THREADS readers, spread round-robin over {@code targets}; returns reads a second. */
  private double load(List<Replica> targets) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SecretsServiceBlockingStub stub = targets.get(t % targets.size()).broker.secrets(token);
        done.add(pool.submit(() -> {
          go.await();
          int ok = 0;
          for (int i = 0; i < READS_PER_THREAD; i++) {
            stub.withDeadlineAfter(30, TimeUnit.SECONDS).getSecret(read());
            ok++;
          }
          return ok;
        }));
      }
      long start = System.nanoTime();
      go.countDown();
      int ok = 0;
      for (Future<Integer> f : done) {
        ok += f.get(120, TimeUnit.SECONDS);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(ok).isEqualTo(THREADS * READS_PER_THREAD);
      return ok / seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void oneReplicasFrozenDatabaseSession_doesNotStopTheOthersAuditedReads_andLoadSpreadsOverReplicas()
      throws Exception {
    Replica a = cluster.get(0);
    Replica b = cluster.get(1);
    Replica c = cluster.get(2);

    double one = load(List.of(a));
    double three = load(List.of(a, b, c));
    double others = load(List.of(b, c));

    // A's indexer is caught inside its next index transaction, its session frozen (locks held, nothing moves)
    CountDownLatch frozen = a.proxy.freezeMidNextIndexBatch();
    a.broker.secrets(token).getSecret(read());
    assertThat(frozen.await(30, TimeUnit.SECONDS)).as("A's index batch reached the database").isTrue();
    double othersWhileFrozen;
    try {
      othersWhileFrozen = load(List.of(b, c));
    } finally {
      a.proxy.thaw();
    }

    System.out.printf("HA figure: audited cached reads, %d client threads: one replica %.0f/s, three replicas %.0f/s;"
        + " replicas B+C %.0f/s, B+C while A's database session is frozen mid-transaction %.0f/s (%.2f)%n", THREADS,
        one, three, others, othersWhileFrozen, othersWhileFrozen / others);

    long caughtUp = cluster.awaitIndexCaughtUp(Duration.ofSeconds(60));
    assertThat(caughtUp).as("every replica's index caught up after the thaw").isPositive();
    VerifyAuditChainResponse v = b.broker.audit(token).verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(v.getReason()).isEmpty();
    assertThat(v.getOk()).isTrue();
    assertThat(v.getReplicasList()).hasSize(3).allSatisfy(r -> assertThat(r.getOk()).isTrue());
  }
}
