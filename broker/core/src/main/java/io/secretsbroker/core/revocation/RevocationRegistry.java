package io.secretsbroker.core.revocation;

import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.core.state.StateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The set of revoked (name, version) pairs. Lookups are in memory; {@link #revoke} writes the state database
 * first and only then updates memory, so a revocation that returned is durable. Other replicas' revocations
 * arrive through the change feed ({@link #onChange}). Thread-safe.
 */
public final class RevocationRegistry {
  private final StateStore store;
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();

  public RevocationRegistry(StateStore store) {
    this.store = store;
    reload();
  }

  private static String key(String name, String version) {
    return name + '\u0000' + version;
  }

  /** Whether {@code version} of {@code name} is revoked. */
  public boolean isRevoked(String name, String version) {
    return !revoked.isEmpty() && revoked.contains(key(name, version));
  }

  /**
   * Records a revocation durably. Revoking an already revoked version keeps the first record.
   *
   * @return true when this call revoked it, false when it already was
   */
  public boolean revoke(Revocation r) {
    boolean inserted = store.inTransaction(c -> insertIfAbsent(c, r));
    revoked.add(key(r.name(), r.version()));
    return inserted;
  }

  /**
   * Records a revocation and its {@link ChangeEvent.Type#REVOKED} event in one transaction, so other replicas
   * learn of every revocation that committed, even when this broker stops right after the commit or the caller
   * retries a call whose outcome it never saw. Revoking an already revoked version keeps the first record and
   * records no new event.
   *
   * @return true when this call revoked it, false when it already was
   * @throws io.secretsbroker.core.BrokerException UNAVAILABLE when the database fails (nothing recorded)
   */
  public boolean revoke(Revocation r, ChangeFeed changes) {
    boolean inserted = changes.publishIf(ChangeEvent.Type.REVOKED, r.name(), r.version(),
        c -> insertIfAbsent(c, r)).isPresent();
    revoked.add(key(r.name(), r.version()));
    return inserted;
  }

  private static boolean insertIfAbsent(Connection c, Revocation r) throws SQLException {
    try (PreparedStatement check = c.prepareStatement(
        "SELECT 1 FROM sb_revocations WHERE name = ? AND version = ?")) {
      check.setString(1, r.name());
      check.setString(2, r.version());
      try (ResultSet rs = check.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO sb_revocations (name, version, reason, principal, revoked_ms) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, r.name());
      ps.setString(2, r.version());
      ps.setString(3, r.reason());
      ps.setString(4, r.principal());
      ps.setLong(5, r.revokedAt().toEpochMilli());
      ps.executeUpdate();
    }
    return true;
  }

  /** Forgets the revocations of a deleted secret (its version ids may be reused by a new secret). */
  public void forget(String name) {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sb_revocations WHERE name = ?")) {
        ps.setString(1, name);
        return ps.executeUpdate();
      }
    });
    revoked.removeIf(k -> k.startsWith(name + '\u0000'));
  }

  /** Applies a change recorded by any replica. */
  public void onChange(ChangeEvent e) {
    if (e.type() == ChangeEvent.Type.REVOKED) {
      revoked.add(key(e.name(), e.version()));
    } else if (e.type() == ChangeEvent.Type.DELETED) {
      revoked.removeIf(k -> k.startsWith(e.name() + '\u0000'));
    }
  }

  /** Reloads every revocation from the state database. */
  public void reload() {
    List<String> all = store.inTransaction(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name, version FROM sb_revocations");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(key(rs.getString(1), rs.getString(2)));
        }
      }
      return out;
    });
    revoked.addAll(all);
    revoked.retainAll(Set.copyOf(all));
  }

  /** Revocations of names starting with {@code prefix}, newest first, after the given offset. */
  public List<Revocation> list(String prefix, int offset, int limit) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, version, reason, principal, revoked_ms FROM sb_revocations WHERE name LIKE ? ESCAPE '\\'"
              + " ORDER BY revoked_ms DESC, name, version OFFSET ? ROWS FETCH FIRST ? ROWS ONLY")) {
        ps.setString(1, likePrefix(prefix));
        ps.setInt(2, offset);
        ps.setInt(3, limit);
        List<Revocation> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Revocation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5))));
          }
        }
        return out;
      }
    });
  }

  /** A LIKE pattern matching every string that starts with {@code prefix}. */
  public static String likePrefix(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
