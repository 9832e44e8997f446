package io.secretsbroker.core.rotation;

import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.state.StateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rotation policy in force for each secret: the secret's own override (kept in the state database, set through
 * {@code SetRotationPolicy}) over the default of the longest configured prefix that matches its name, over the
 * broker-wide default. Overrides are read from the database on each call, so every replica sees the same policy.
 * Thread-safe.
 */
public final class RotationPolicies {

  /**
   * The default policy for names under a prefix.
   *
   * @param prefix a name prefix (the longest matching one wins)
   * @param policy the policy for names under it
   */
  public record PrefixPolicy(String prefix, RotationPolicy policy) {
    public PrefixPolicy {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(policy, "policy");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("prefix: must not be empty (the broker-wide default covers every name)");
      }
    }
  }

  /** Every override at one moment, for computations over many secrets with one query. */
  public final class Snapshot {
    private final Map<String, PolicyOverride> overrides;

    private Snapshot(Map<String, PolicyOverride> overrides) {
      this.overrides = overrides;
    }

    /** The policy in force for {@code name}. */
    public RotationPolicy policyFor(String name) {
      return defaultFor(name).with(overrides.getOrDefault(name, PolicyOverride.NONE));
    }

    /** The rotation interval in force for {@code name}. */
    public Duration intervalOf(String name) {
      return policyFor(name).interval();
    }
  }

  private final StateStore store;
  private final RotationPolicy defaults;
  private final List<PrefixPolicy> byLongestPrefix;

  /**
   * @param defaults the broker-wide default
   * @param prefixes per-prefix defaults; two with the same prefix are refused
   * @throws IllegalArgumentException when two entries share a prefix
   */
  public RotationPolicies(StateStore store, RotationPolicy defaults, List<PrefixPolicy> prefixes) {
    this.store = store;
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    Set<String> seen = new HashSet<>();
    for (PrefixPolicy p : prefixes) {
      if (!seen.add(p.prefix())) {
        throw new IllegalArgumentException("two rotation defaults share the prefix '" + p.prefix() + "'");
      }
    }
    List<PrefixPolicy> sorted = new ArrayList<>(prefixes);
    sorted.sort(Comparator.comparingInt((PrefixPolicy p) -> p.prefix().length()).reversed());
    this.byLongestPrefix = List.copyOf(sorted);
  }

  /** The broker-wide default. */
  public RotationPolicy defaults() {
    return defaults;
  }

  /** The configured default for {@code name}: the longest matching prefix's, else the broker-wide one. */
  public RotationPolicy defaultFor(String name) {
    for (PrefixPolicy p : byLongestPrefix) {
      if (name.startsWith(p.prefix())) {
        return p.policy();
      }
    }
    return defaults;
  }

  /** The policy in force for {@code name}. */
  public RotationPolicy policyFor(String name) {
    return defaultFor(name).with(overrideOf(name));
  }

  /** The secret's own override ({@link PolicyOverride#NONE} when it has none). */
  public PolicyOverride overrideOf(String name) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM sb_rotation_policies WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? read(rs) : PolicyOverride.NONE;
        }
      }
    });
  }

  /** Every override, read with one query. */
  public Snapshot snapshot() {
    Map<String, PolicyOverride> all = store.inTransaction(c -> {
      Map<String, PolicyOverride> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name, " + COLUMNS + " FROM sb_rotation_policies");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), read(rs));
        }
      }
      return out;
    });
    return new Snapshot(Map.copyOf(all));
  }

  /**
   * Sets a secret's override; an empty override removes it, so the prefix defaults apply again.
   *
   * @param principal who set it (kept for operators)
   */
  public void set(String name, PolicyOverride override, String principal, Instant now) {
    store.inTransaction(c -> {
      delete(c, name, Long.MAX_VALUE);
      if (override.isEmpty()) {
        return null;
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sb_rotation_policies (name, interval_ms, grace_ms,"
          + " generator_kind, generator_length, generator_classes, generator_base64, principal, updated_ms)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, name);
        setMillis(ps, 2, override.interval());
        setMillis(ps, 3, override.grace());
        Generator g = override.generator().orElse(null);
        ps.setString(4, g == null ? null : g.kind());
        if (g instanceof Generator.Password p) {
          ps.setInt(5, p.length());
          ps.setString(6, p.classes().stream().sorted().map(CharacterClass::word).collect(Collectors.joining(",")));
          ps.setNull(7, Types.BOOLEAN);
        } else if (g instanceof Generator.RandomBytes b) {
          ps.setInt(5, b.length());
          ps.setNull(6, Types.VARCHAR);
          ps.setBoolean(7, b.base64());
        } else {
          ps.setNull(5, Types.INTEGER);
          ps.setNull(6, Types.VARCHAR);
          ps.setNull(7, Types.BOOLEAN);
        }
        ps.setString(8, principal);
        ps.setLong(9, now.toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Forgets the override of a deleted secret, unless it was set after {@code deletedAt} (a new secret of the same
   * name set its own).
   */
  public void forget(String name, Instant deletedAt) {
    store.inTransaction(c -> delete(c, name, deletedAt.toEpochMilli()));
  }

  private static int delete(Connection c, String name, long notAfterMs) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "DELETE FROM sb_rotation_policies WHERE name = ? AND updated_ms <= ?")) {
      ps.setString(1, name);
      ps.setLong(2, notAfterMs);
      return ps.executeUpdate();
    }
  }

  private static final String COLUMNS =
      "interval_ms, grace_ms, generator_kind, generator_length, generator_classes, generator_base64";

  private static PolicyOverride read(ResultSet rs) throws SQLException {
    Optional<Duration> interval = millis(rs, "interval_ms");
    Optional<Duration> grace = millis(rs, "grace_ms");
    String kind = rs.getString("generator_kind");
    Optional<Generator> generator = Optional.empty();
    if (kind != null) {
      generator = Optional.of(switch (kind) {
        case "password" -> {
          Set<CharacterClass> classes = EnumSet.noneOf(CharacterClass.class);
          for (String w : rs.getString("generator_classes").split(",")) {
            classes.add(CharacterClass.fromWord(w));
          }
          yield new Generator.Password(rs.getInt("generator_length"), classes);
        }
        case "random-bytes" -> new Generator.RandomBytes(rs.getInt("generator_length"),
            rs.getBoolean("generator_base64"));
        case "external" -> new Generator.External();
        default -> throw new SQLException("unknown generator kind in sb_rotation_policies: " + kind);
      });
    }
    return new PolicyOverride(interval, generator, grace);
  }

  private static Optional<Duration> millis(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(v));
  }

  private static void setMillis(PreparedStatement ps, int index, Optional<Duration> d) throws SQLException {
    if (d.isPresent()) {
      ps.setLong(index, d.get().toMillis());
    } else {
      ps.setNull(index, Types.BIGINT);
    }
  }
}
