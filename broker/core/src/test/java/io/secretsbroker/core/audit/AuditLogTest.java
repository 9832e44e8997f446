package io.secretsbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir
  Path dir;
  StateStore store;
  AuditLog log;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void open() {
    store = StateStore.open(StateSettings.h2(dir));
    log = new AuditLog(store, registry, Duration.ofSeconds(5));
  }

  @AfterEach
  void close() {
    log.close();
    store.close();
  }

  private static AuditEntry entry(String principal, String name, String outcome) {
    return new AuditEntry(Instant.parse("2026-01-01T00:00:00Z"), "req", principal, "127.0.0.1:1", 
        "secretsbroker.v1.SecretsService/GetSecret", name, "stage=current", outcome, false, 12, "");
  }

  @Test
  void append_chainsRecordsFromGenesis() {
    AuditRecord first = log.append(entry("a", "x", "OK"));
    AuditRecord second = log.append(entry("b", "y", "OK"));
    assertThat(first.sequence()).isEqualTo(1);
    assertThat(first.previousHash()).isEqualTo(AuditLog.GENESIS);
    assertThat(second.previousHash()).isEqualTo(first.hash());
    assertThat(log.verify(0, 0)).isEqualTo(new ChainVerification(true, 2, 0, ""));
  }

  @Test
  void concurrentAppends_areGroupCommittedIntoOneGaplessChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<AuditRecord>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int n = i;
        futures.add(pool.submit(() -> log.append(entry("p" + (n % 7), "s" + n, "OK"))));
      }
      Set<Long> seqs = new HashSet<>();
      for (Future<AuditRecord> f : futures) {
        seqs.add(f.get().sequence());
      }
      assertThat(seqs).hasSize(400).allMatch(s -> s >= 1 && s <= 400);
    } finally {
      pool.shutdownNow();
    }
    assertThat(log.verify(0, 0).ok()).isTrue();
    double batches = registry.get("secrets.audit.batch.size").summary().count();
    assertThat(batches).as("group commit batches").isLessThan(400);
  }

  @Test
  void canonicalForm_distinguishesFieldBoundaries() {
    AuditEntry a = entry("ab", "c", "OK");
    AuditEntry b = entry("a", "bc", "OK");
    assertThat(AuditLog.hash(1, a, AuditLog.GENESIS)).isNotEqualTo(AuditLog.hash(1, b, AuditLog.GENESIS));
  }

  @Test
  void verify_detectsChangedDeletedAndTruncatedRecords() throws Exception {
    for (int i = 0; i < 6; i++) {
      log.append(entry("p", "s" + i, "OK"));
    }
    exec("UPDATE sb_audit SET outcome = 'PERMISSION_DENIED' WHERE seq = 2");
    assertThat(log.verify(0, 0).firstBrokenSequence()).isEqualTo(2);
    exec("UPDATE sb_audit SET outcome = 'OK' WHERE seq = 2");
    assertThat(log.verify(0, 0).ok()).isTrue();
    exec("DELETE FROM sb_audit WHERE seq = 6");
    ChainVerification truncated = log.verify(0, 0);
    assertThat(truncated.ok()).isFalse();
    assertThat(truncated.firstBrokenSequence()).isEqualTo(6);
  }

  @Test
  void query_filtersAndPagesNewestFirst() {
    log.append(entry("alice", "trading/db", "OK"));
    log.append(entry("bob", "trading/db", "PERMISSION_DENIED"));
    log.append(entry("alice", "market/feed", "OK"));
    List<AuditRecord> alice = log.query(new AuditQuery("alice", "", "", "", null, null, 0, 10));
    assertThat(alice).extracting(r -> r.entry().name()).containsExactly("market/feed", "trading/db");
    assertThat(log.query(new AuditQuery("", "trading/", "GetSecret", "PERMISSION_DENIED", null, null, 0, 10)))
        .extracting(r -> r.entry().principal()).containsExactly("bob");
    assertThat(log.query(new AuditQuery("", "", "", "", null, null, 3, 1))).extracting(AuditRecord::sequence)
        .containsExactly(2L);
    assertThat(log.accessStats("trading/").get("trading/db"))
        .satisfies(s -> {
          assertThat(s.accessCount()).isEqualTo(1);
          assertThat(s.deniedCount()).isEqualTo(1);
          assertThat(s.lastAccessor()).isEqualTo("alice");
        });
  }

  @Test
  void append_whenDatabaseFails_throwsUnavailable_andCountsFailure() throws Exception {
    exec("ALTER TABLE sb_audit RENAME TO gone");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(entry("a", "x", "OK")))
        .isInstanceOfSatisfying(io.secretsbroker.core.BrokerException.class,
            e -> assertThat(e.failure()).isEqualTo(io.secretsbroker.core.Failure.UNAVAILABLE));
    assertThat(registry.get("secrets.audit.write.failures").counter().count()).isEqualTo(1);
    exec("ALTER TABLE gone RENAME TO sb_audit");
    assertThat(log.append(entry("a", "x", "OK")).sequence()).isEqualTo(1);
  }

  private void exec(String sql) throws Exception {
    try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
