package io.secretsbroker.core.audit;

import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.core.revocation.RevocationRegistry;
import io.secretsbroker.core.state.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The audit index: every replica's journal records as rows of {@code sb_audit_index} in the state database, for
 * queries. Written by the {@link AuditIndexer} in batches; read by auditors' queries. Deleting or editing a row
 * changes no record of truth (the journal) and is reported by verification. Thread-safe.
 */
final class AuditIndex {
  private static final String COLUMNS = "replica, seq, time_ms, kind, request_id, principal, auth_method,"
      + " token_accessor, peer, method, name, version, outcome, cache_hit, latency_us, detail, mac";

  private final StateStore store;
  private final Set<YearMonth> partitions = new HashSet<>();

  AuditIndex(StateStore store) {
    this.store = store;
  }

  /** The newest sequence of {@code replica} already indexed (0 when none). */
  long position(String replica) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM sb_audit_index_position WHERE replica = ?")) {
        ps.setString(1, replica);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  /** Inserts records of one replica (in sequence order) and moves its position, in one transaction. */
  void insert(String replica, List<AuditRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    if (store.shared()) {
      ensurePartitions(records);
    }
    long last = records.get(records.size() - 1).sequence();
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sb_audit_index (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        HexFormat hex = HexFormat.of();
        for (AuditRecord r : records) {
          AuditEntry e = r.entry();
          ps.setString(1, r.replica());
          ps.setLong(2, r.sequence());
          ps.setLong(3, e.time().toEpochMilli());
          ps.setShort(4, (short) e.kind().ordinal());
          ps.setString(5, e.requestId());
          ps.setString(6, e.principal());
          ps.setString(7, e.authMethod());
          ps.setString(8, e.tokenAccessor());
          ps.setString(9, e.peer());
          ps.setString(10, e.method());
          ps.setString(11, e.name());
          ps.setString(12, e.version());
          ps.setString(13, e.outcome());
          ps.setBoolean(14, e.cacheHit());
          ps.setLong(15, e.latencyMicros());
          ps.setString(16, e.detail());
          ps.setBytes(17, hex.parseHex(r.mac()));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      int n;
      try (PreparedStatement up = c.prepareStatement(
          "UPDATE sb_audit_index_position SET seq = ? WHERE replica = ? AND seq < ?")) {
        up.setLong(1, last);
        up.setString(2, replica);
        up.setLong(3, last);
        n = up.executeUpdate();
      }
      if (n == 0) {
        try (PreparedStatement ins = c.prepareStatement(
            "INSERT INTO sb_audit_index_position (replica, seq) SELECT ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM sb_audit_index_position WHERE replica = ?)")) {
          ins.setString(1, replica);
          ins.setLong(2, last);
          ins.setString(3, replica);
          ins.executeUpdate();
        }
      }
      return null;
    });
  }

  /** PostgreSQL: makes sure a monthly partition exists for every record's month before rows arrive in it. */
  private void ensurePartitions(List<AuditRecord> records) {
    Set<YearMonth> months = new HashSet<>();
    for (AuditRecord r : records) {
      months.add(YearMonth.from(r.entry().time().atOffset(ZoneOffset.UTC)));
    }
    months.removeAll(partitions);
    for (YearMonth m : months) {
      long from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
      long to = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
      String table = String.format("sb_audit_index_p%04d%02d", m.getYear(), m.getMonthValue());
      try {
        store.inTransaction(c -> {
          try (var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " PARTITION OF sb_audit_index FOR VALUES FROM (" + from
                + ") TO (" + to + ")");
          }
          return null;
        });
      } catch (RuntimeException e) {
        // rows of that month already sit in the default partition (records from before partitioning): keep using it
      }
      partitions.add(m);
    }
  }

  /** Deletes the rows of {@code replica} up to and including {@code sequence} (their segments were archived). */
  int deleteUpTo(String replica, long sequence) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sb_audit_index WHERE replica = ? AND seq <= ?")) {
        ps.setString(1, replica);
        ps.setLong(2, sequence);
        return ps.executeUpdate();
      }
    });
  }

  /** The rows of {@code replica} with sequences in [{@code from}, {@code to}], in order (verification). */
  List<AuditRecord> range(String replica, long from, long to, int max) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sb_audit_index WHERE replica = ?"
          + " AND seq >= ? AND seq <= ? ORDER BY seq FETCH FIRST " + max + " ROWS ONLY")) {
        ps.setString(1, replica);
        ps.setLong(2, from);
        ps.setLong(3, to);
        return rows(ps);
      }
    });
  }

  /**
   * The lowest sequence of a row of {@code replica} that its indexer cannot have written: below 1, or beyond the
   * replica's indexed position (moved in the same transaction as the rows); empty when there is none.
   */
  OptionalLong strayRow(String replica) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT MIN(seq) FROM sb_audit_index WHERE replica = ? AND"
          + " (seq < 1 OR seq > (SELECT COALESCE(MAX(seq), 0) FROM sb_audit_index_position WHERE replica = ?))")) {
        ps.setString(1, replica);
        ps.setString(2, replica);
        try (ResultSet rs = ps.executeQuery()) {
          long seq = rs.next() ? rs.getLong(1) : 0;
          return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(seq);
        }
      }
    });
  }

  /** The replicas present in the index (besides 'legacy'). */
  List<String> replicas() {
    return store.inTransaction(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT replica FROM sb_audit_index_position ORDER BY replica");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  private static List<AuditRecord> rows(PreparedStatement ps) throws SQLException {
    List<AuditRecord> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        AuditEntry e = new AuditEntry(AuditEntry.Kind.values()[rs.getShort(4)], Instant.ofEpochMilli(rs.getLong(3)),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
            rs.getString(11), rs.getString(12), rs.getString(13), rs.getBoolean(14), rs.getLong(15),
            rs.getString(16));
        out.add(new AuditRecord(rs.getString(1), rs.getLong(2), e, hex.formatHex(rs.getBytes(17))));
      }
    }
    return out;
  }

  /** Records matching {@code q}, newest first. */
  List<AuditRecord> query(AuditQuery q) {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM sb_audit_index WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.principal() != null && !q.principal().isEmpty()) {
      sql.append(" AND principal = ?");
      args.add(q.principal());
    }
    if (q.namePrefix() != null && !q.namePrefix().isEmpty()) {
      sql.append(" AND name LIKE ? ESCAPE '\\'");
      args.add(RevocationRegistry.likePrefix(q.namePrefix()));
    }
    if (q.method() != null && !q.method().isEmpty()) {
      if (q.method().contains("/")) {
        sql.append(" AND method = ?");
        args.add(q.method());
      } else {
        sql.append(" AND method LIKE ? ESCAPE '\\'");
        args.add("%/" + q.method().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
      }
    }
    if (q.outcome() != null && !q.outcome().isEmpty()) {
      sql.append(" AND outcome = ?");
      args.add(q.outcome());
    }
    if (q.requestId() != null && !q.requestId().isEmpty()) {
      sql.append(" AND request_id = ?");
      args.add(q.requestId());
    }
    if (q.from() != null) {
      sql.append(" AND time_ms >= ?");
      args.add(q.from().toEpochMilli());
    }
    if (q.to() != null) {
      sql.append(" AND time_ms < ?");
      args.add(q.to().toEpochMilli());
    }
    if (q.after() != null) {
      // keyset paging over (time_ms DESC, replica, seq DESC)
      sql.append(" AND (time_ms < ? OR (time_ms = ? AND (replica > ? OR (replica = ? AND seq < ?))))");
      args.add(q.after().timeMillis());
      args.add(q.after().timeMillis());
      args.add(q.after().replica());
      args.add(q.after().replica());
      args.add(q.after().sequence());
    }
    sql.append(" ORDER BY time_ms DESC, replica, seq DESC FETCH FIRST ").append(q.limit()).append(" ROWS ONLY");
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        return rows(ps);
      }
    });
  }

  /** Per-secret read statistics under a prefix, by name: reads are GetSecret calls and BatchGetSecrets items. */
  Map<String, AccessStats> accessStats(String prefix) {
    return store.inTransaction(c -> {
      Map<String, AccessStats> out = new LinkedHashMap<>();
      String reads = "(method LIKE '%/GetSecret' OR method LIKE '%/BatchGetSecrets')";
      try (PreparedStatement ps = c.prepareStatement("SELECT name,"
          + " SUM(CASE WHEN outcome = 'OK' THEN 1 ELSE 0 END),"
          + " MAX(CASE WHEN outcome = 'OK' THEN time_ms ELSE 0 END),"
          + " SUM(CASE WHEN outcome = 'PERMISSION_DENIED' THEN 1 ELSE 0 END)"
          + " FROM sb_audit_index WHERE name LIKE ? ESCAPE '\\' AND " + reads + " GROUP BY name ORDER BY name")) {
        ps.setString(1, RevocationRegistry.likePrefix(prefix));
        try (ResultSet rs = ps.executeQuery();
            PreparedStatement last = c.prepareStatement("SELECT principal FROM sb_audit_index WHERE name = ? AND"
                + " outcome = 'OK' AND time_ms = ? AND " + reads + " ORDER BY replica, seq DESC FETCH FIRST 1 ROWS ONLY")) {
          while (rs.next()) {
            String name = rs.getString(1);
            long lastMs = rs.getLong(3);
            Instant when = null;
            String who = "";
            if (lastMs > 0) {
              when = Instant.ofEpochMilli(lastMs);
              last.setString(1, name);
              last.setLong(2, lastMs);
              try (ResultSet l = last.executeQuery()) {
                if (l.next()) {
                  who = l.getString(1);
                }
              }
            }
            out.put(name, new AccessStats(name, rs.getLong(2), when, who, rs.getLong(4)));
          }
        }
      }
      return out;
    });
  }

  /** Exposed for the indexer's transactions. */
  StateStore store() {
    return store;
  }

}
