package io.secretsbroker.core.rotation;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.state.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code sb_rotations} table. Every change to a rotation in flight is a conditional update on the row's name,
 * owner and state, and reports whether it applied: an update that finds the row changed by someone else does
 * nothing. Thread-safe.
 */
final class RotationStore {
  private static final String COLUMNS = "name, rotation_state, owner_id, base_version, pending_version,"
      + " previous_version, value_salt, value_sha256, value_supplied, attempt, last_error, started_ms, updated_ms,"
      + " last_rotated_ms, retire_after_ms, next_attempt_ms";
  private static final int MAX_ERROR = 1024;

  private final StateStore store;

  RotationStore(StateStore store) {
    this.store = store;
  }

  Optional<RotationRow> find(String name) {
    List<RotationRow> rows = query("SELECT " + COLUMNS + " FROM sb_rotations WHERE name = ?", name);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Every row, by name. */
  Map<String, RotationRow> all() {
    Map<String, RotationRow> out = new HashMap<>();
    for (RotationRow r : query("SELECT " + COLUMNS + " FROM sb_rotations")) {
      out.put(r.name(), r);
    }
    return out;
  }

  List<RotationRow> notIdle() {
    return query("SELECT " + COLUMNS + " FROM sb_rotations WHERE rotation_state <> 'idle' ORDER BY name");
  }

  List<RotationRow> retireDue(long nowMs) {
    return query("SELECT " + COLUMNS + " FROM sb_rotations WHERE retire_after_ms > 0 AND retire_after_ms <= ?"
        + " ORDER BY name", nowMs);
  }

  /** Inserts an idle row for {@code name} unless one exists. */
  void ensureRow(String name, long nowMs) {
    if (find(name).isPresent()) {
      return;
    }
    try {
      update("INSERT INTO sb_rotations (" + COLUMNS + ") VALUES (?, 'idle', '', '', '', '', '', '', FALSE, 0, '',"
          + " ?, ?, 0, 0, 0)", name, nowMs, nowMs);
    } catch (BrokerException e) {
      if (!(e.getCause() instanceof SQLException sql) || !"23505".equals(sql.getSQLState())) {
        throw e;
      }
      // another engine inserted it first: the row exists, which is all this asks
    }
  }

  /** Starts a rotation of an idle secret; false when it is not idle. */
  boolean claim(String name, String owner, String baseVersion, String salt, String hash, boolean supplied,
      long nowMs) {
    return update("UPDATE sb_rotations SET rotation_state = 'pending_created', owner_id = ?, base_version = ?,"
        + " pending_version = '', value_salt = ?, value_sha256 = ?, value_supplied = ?, attempt = attempt + 1,"
        + " started_ms = ?, updated_ms = ? WHERE name = ? AND rotation_state = 'idle'",
        owner, baseVersion, salt, hash, supplied, nowMs, nowMs, name) == 1;
  }

  /** Takes over a rotation that {@code seen} showed abandoned; false when the row changed since. */
  boolean takeOver(RotationRow seen, String owner, long nowMs) {
    return update("UPDATE sb_rotations SET owner_id = ?, attempt = attempt + 1, updated_ms = ? WHERE name = ?"
        + " AND owner_id = ? AND rotation_state = ? AND updated_ms = ?",
        owner, nowMs, seen.name(), seen.owner(), seen.state().word(), seen.updatedMs()) == 1;
  }

  boolean newValue(String name, String owner, String salt, String hash, long nowMs) {
    return update("UPDATE sb_rotations SET value_salt = ?, value_sha256 = ?, value_supplied = FALSE, updated_ms = ?"
        + " WHERE name = ? AND owner_id = ? AND rotation_state = 'pending_created' AND pending_version = ''",
        salt, hash, nowMs, name, owner) == 1;
  }

  boolean pendingWritten(String name, String owner, String version, long nowMs) {
    return update("UPDATE sb_rotations SET pending_version = ?, updated_ms = ? WHERE name = ? AND owner_id = ?"
        + " AND rotation_state = 'pending_created' AND pending_version = ''", version, nowMs, name, owner) == 1;
  }

  boolean verified(String name, String owner, long nowMs) {
    return update("UPDATE sb_rotations SET rotation_state = 'verified', updated_ms = ? WHERE name = ?"
        + " AND owner_id = ? AND rotation_state = 'pending_created'", nowMs, name, owner) == 1;
  }

  boolean promoted(String name, String owner, String previousVersion, long nowMs) {
    return update("UPDATE sb_rotations SET rotation_state = 'promoted', previous_version = ?, updated_ms = ?"
        + " WHERE name = ? AND owner_id = ? AND rotation_state = 'verified'", previousVersion, nowMs, name, owner)
        == 1;
  }

  boolean finished(String name, String owner, long retireAfterMs, long nowMs) {
    return update("UPDATE sb_rotations SET rotation_state = 'idle', owner_id = '', base_version = '',"
        + " pending_version = '', value_salt = '', value_sha256 = '', value_supplied = FALSE, attempt = 0,"
        + " last_error = '', updated_ms = ?, last_rotated_ms = ?, retire_after_ms = ?, next_attempt_ms = 0"
        + " WHERE name = ? AND owner_id = ? AND rotation_state = 'promoted'",
        nowMs, nowMs, retireAfterMs, name, owner) == 1;
  }

  /** Records a failure and leaves the rotation where it stands, to be resumed after {@code nextAttemptMs}. */
  boolean failed(String name, String owner, String error, long nextAttemptMs, long nowMs) {
    return update("UPDATE sb_rotations SET last_error = ?, next_attempt_ms = ?, updated_ms = ? WHERE name = ?"
        + " AND owner_id = ? AND rotation_state <> 'idle'", clip(error), nextAttemptMs, nowMs, name, owner) == 1;
  }

  /** Records a failure that ends the rotation: back to idle, nothing pending. */
  boolean aborted(String name, String owner, String error, long nextAttemptMs, long nowMs) {
    return update("UPDATE sb_rotations SET rotation_state = 'idle', owner_id = '', base_version = '',"
        + " pending_version = '', value_salt = '', value_sha256 = '', value_supplied = FALSE, last_error = ?,"
        + " next_attempt_ms = ?, updated_ms = ? WHERE name = ? AND owner_id = ? AND rotation_state <> 'idle'",
        clip(error), nextAttemptMs, nowMs, name, owner) == 1;
  }

  /** Marks the previous version's grace as handled, unless a newer rotation set a new one meanwhile. */
  boolean retired(String name, long retireAfterMs) {
    return update("UPDATE sb_rotations SET retire_after_ms = 0 WHERE name = ? AND retire_after_ms = ?",
        name, retireAfterMs) == 1;
  }

  /** Forgets an idle row of a secret deleted at {@code deletedAtMs}, unless it changed after that. */
  void forget(String name, long deletedAtMs) {
    update("DELETE FROM sb_rotations WHERE name = ? AND rotation_state = 'idle' AND updated_ms <= ?", name,
        deletedAtMs);
  }

  private static String clip(String s) {
    return s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
  }

  private int update(String sql, Object... params) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, params);
        return ps.executeUpdate();
      }
    });
  }

  private List<RotationRow> query(String sql, Object... params) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, params);
        List<RotationRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new RotationRow(rs.getString(1), RotationState.fromWord(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                rs.getBoolean(9), rs.getInt(10), rs.getString(11), rs.getLong(12), rs.getLong(13), rs.getLong(14),
                rs.getLong(15), rs.getLong(16)));
          }
        }
        return out;
      }
    });
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof String s) {
        ps.setString(i + 1, s);
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Boolean b) {
        ps.setBoolean(i + 1, b);
      } else {
        throw new IllegalArgumentException("unsupported parameter type " + p.getClass());
      }
    }
  }
}
