package io.secretsbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An append whose caller gave up (the chain's head stayed locked past the append timeout, as when another
 * replica's transaction hangs) fails closed and leaves no record behind: the audit log never shows a request that
 * was refused because its record came too late.
 */
class AuditLogFailClosedTest {
  @TempDir
  Path dir;
  StateStore store;
  AuditLog log;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void open() {
    store = StateStore.open(StateSettings.h2(dir));
    log = new AuditLog(store, registry, Duration.ofMillis(300));
  }

  @AfterEach
  void close() {
    log.close();
    store.close();
  }

  private static AuditEntry entry(String requestId) {
    return new AuditEntry(Instant.parse("2026-01-01T00:00:00Z"), requestId, "p", "127.0.0.1:1",
        "secretsbroker.v1.SecretsService/GetSecret", "x", "stage=current", "OK", true, 12, "");
  }

  @Test
  void anAppendThatTimedOutWhileTheHeadWasLocked_isRefused_andNeverWritten() throws Exception {
    try (Connection other = store.dataSource().getConnection()) {
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.executeQuery("SELECT last_seq FROM sb_audit_head WHERE id = 1 FOR UPDATE").close();
      }
      assertThatThrownBy(() -> log.append(entry("too-late")))
          .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE));
      other.commit();
    }

    AuditRecord next = log.append(entry("on-time"));

    assertThat(next.sequence()).as("no record for the refused request, no gap").isEqualTo(1);
    assertThat(log.verify(0, 0).ok()).isTrue();
    try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sb_audit WHERE request_id = 'too-late'")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
    assertThat(registry.counter("secrets.audit.records.unconfirmed").count()).isZero();
  }
}
