package io.secretsbroker.core.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens: 256 random bits from {@link SecureRandom}, handed out once and stored only as SHA-256 hashes.
 * Lookups hash the presented token, find the row by hash and compare the hashes in constant time. Valid lookups
 * are cached for a few seconds so the hot path does not hit the database; a revocation clears the cache at once
 * on this replica (other replicas within that few seconds). Thread-safe.
 */
public final class TokenStore {
  /** Prefix of every token, so leaked tokens are recognisable by secret scanners. */
  public static final String TOKEN_PREFIX = "sbt_";
  private static final Duration LOOKUP_CACHE_TTL = Duration.ofSeconds(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StateStore store;
  private final Clock clock;
  private final Cache<String, TokenInfo> byHash;
  /** Hashes no token has: a repeated bad token costs no database lookup. New tokens are random, never in here. */
  private final Cache<String, Boolean> unknown =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(30)).build();

  public TokenStore(StateStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.byHash = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(LOOKUP_CACHE_TTL).build();
  }

  /** SHA-256 of the token, hex. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random token. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String t = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Arrays.fill(bytes, (byte) 0);
    return t;
  }

  /** Token principal names: the NAME of {@code token:NAME}; no ':' or '/', so never a certificate identity. */
  private static final java.util.regex.Pattern PRINCIPAL_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
  private static final java.util.regex.Pattern POLICY_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /**
   * Issues a token the way Vault issues child tokens: its principal lives in the {@code token:} namespace (never
   * {@code root}, never a certificate or SPIFFE identity); a creator that does not hold the root policy may attach
   * only policies it holds itself; the lifetime is at most {@code maxTtl} and at most what remains of the creator's
   * own token.
   *
   * @param creator who asks (its accessor names its token when it authenticated with one)
   * @param creatorPolicies every policy the creator holds (config bindings and its token's own)
   * @param ttl the lifetime asked for; zero for {@code defaultTtl}
   * @throws BrokerException INVALID_ARGUMENT for a bad principal, policy name or lifetime; PERMISSION_DENIED for a
   *     policy the creator does not hold
   */
  public IssuedToken issue(Principal creator, java.util.Set<String> creatorPolicies, String principal,
      List<String> policies, Duration ttl, Duration defaultTtl, Duration maxTtl) {
    if (principal == null || !PRINCIPAL_NAME.matcher(principal).matches()) {
      throw BrokerException.invalid("principal", "a token's principal is token:NAME; give NAME as 1-128 characters of"
          + " [A-Za-z0-9._@-] starting with a letter or digit (no ':' or '/': certificate and SPIFFE identities"
          + " cannot be issued as tokens)");
    }
    if (principal.equals("root")) {
      throw BrokerException.invalid("principal", "'root' is reserved for the built-in root token");
    }
    for (String p : policies) {
      if (!POLICY_NAME.matcher(p).matches()) {
        throw BrokerException.invalid("policies", "policy names are [A-Za-z0-9._-]{1,128}, got '" + p + "'");
      }
    }
    boolean creatorIsRoot = creatorPolicies.contains("root");
    if (!creatorIsRoot) {
      List<String> foreign = policies.stream().filter(p -> !creatorPolicies.contains(p)).distinct().sorted().toList();
      if (!foreign.isEmpty()) {
        throw new BrokerException(Failure.PERMISSION_DENIED, "permission denied: a token may carry only policies"
            + " its creator holds; " + foreign + " not among " + new java.util.TreeSet<>(creatorPolicies));
      }
    }
    if (ttl.isNegative()) {
      throw BrokerException.invalid("ttl", "must not be negative");
    }
    Duration lifetime = ttl.isZero() ? (defaultTtl.compareTo(maxTtl) > 0 ? maxTtl : defaultTtl) : ttl;
    if (lifetime.compareTo(maxTtl) > 0) {
      throw BrokerException.invalid("ttl", "must be at most auth.token-max-ttl (" + maxTtl.toHours() + "h), was "
          + (lifetime.toHours() > 0 ? lifetime.toHours() + "h" : lifetime.toSeconds() + "s"));
    }
    Instant now = clock.instant();
    if (!creatorIsRoot && !creator.accessor().isEmpty()) {
      Optional<TokenInfo> own = byAccessor(creator.accessor());
      Duration remaining = own.map(t -> Duration.between(now, t.expiresAt())).orElse(Duration.ZERO);
      if (lifetime.compareTo(remaining) > 0) {
        throw BrokerException.invalid("ttl", "must be at most the creating token's remaining lifetime ("
            + Math.max(0, remaining.toSeconds()) + "s)");
      }
    }
    String token = newToken();
    return new IssuedToken(token, insert(token, principal, policies, lifetime, creator.typedName()));
  }

  /** A token's metadata by accessor. */
  public Optional<TokenInfo> byAccessor(String accessor) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, token_hash, principal, policies, created_ms,"
          + " expires_ms, revoked, creator FROM sb_tokens WHERE id = ?")) {
        ps.setString(1, accessor);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Stores an existing token (the dev root token read back from its file) if its hash is not stored yet. */
  public TokenInfo ensure(String token, String principal, List<String> policies, Duration ttl) {
    Optional<TokenInfo> existing = lookupRow(hash(token));
    return existing.orElseGet(() -> insert(token, principal, policies, ttl, "system:dev-mode"));
  }

  private TokenInfo insert(String token, String principal, List<String> policies, Duration ttl, String creator) {
    String h = hash(token);
    Instant now = clock.instant();
    TokenInfo info = new TokenInfo(h.substring(0, 16), principal, policies, now, now.plus(ttl), false, creator);
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sb_tokens (id, token_hash, principal, policies,"
          + " created_ms, expires_ms, revoked, creator) VALUES (?, ?, ?, ?, ?, ?, FALSE, ?)")) {
        ps.setString(7, creator);
        ps.setString(1, info.id());
        ps.setString(2, h);
        ps.setString(3, principal);
        ps.setString(4, String.join(",", policies));
        ps.setLong(5, now.toEpochMilli());
        ps.setLong(6, info.expiresAt().toEpochMilli());
        return ps.executeUpdate();
      }
    });
    return info;
  }

  /**
   * The principal a presented token authenticates as.
   *
   * @return empty when the token is unknown, expired or revoked
   */
  public Optional<Principal> authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 256) {
      return Optional.empty();
    }
    String h = hash(token);
    TokenInfo info = byHash.getIfPresent(h);
    if (info == null) {
      if (unknown.getIfPresent(h) != null) {
        return Optional.empty();
      }
      info = lookupRow(h).orElse(null);
      if (info == null) {
        unknown.put(h, Boolean.TRUE);
        return Optional.empty();
      }
      byHash.put(h, info);
    }
    if (info.revoked() || !clock.instant().isBefore(info.expiresAt())) {
      return Optional.empty();
    }
    String method = info.policies().contains("root") && info.principal().equals("root") ? "root" : "token";
    return Optional.of(new Principal(info.principal(), method, Set.copyOf(info.policies()), info.id()));
  }

  /**
   * Whether {@link #authenticate} of this bearer token would be answered from memory (no database lookup). Never
   * logs or keeps the token.
   */
  public boolean cachedInMemory(String token) {
    return token != null && !token.isEmpty() && token.length() <= 256 && byHash.getIfPresent(hash(token)) != null;
  }

  private Optional<TokenInfo> lookupRow(String h) {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, token_hash, principal, policies, created_ms,"
          + " expires_ms, revoked, creator FROM sb_tokens WHERE token_hash = ?")) {
        ps.setString(1, h);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          byte[] stored = rs.getString(2).getBytes(StandardCharsets.US_ASCII);
          if (!MessageDigest.isEqual(stored, h.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
          }
          return Optional.of(row(rs));
        }
      }
    });
  }

  private static TokenInfo row(ResultSet rs) throws java.sql.SQLException {
    String policies = rs.getString(4);
    return new TokenInfo(rs.getString(1), rs.getString(3),
        policies.isEmpty() ? List.of() : List.of(policies.split(",")), Instant.ofEpochMilli(rs.getLong(5)),
        Instant.ofEpochMilli(rs.getLong(6)), rs.getBoolean(7), rs.getString(8));
  }

  /**
   * Revokes a token by id.
   *
   * @throws BrokerException NOT_FOUND for an unknown id
   */
  public void revoke(String id) {
    int n = store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE sb_tokens SET revoked = TRUE WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate();
      }
    });
    if (n == 0) {
      throw new BrokerException(Failure.NOT_FOUND, "no token with id '" + id + "'");
    }
    byHash.invalidateAll();
  }

  /** Every token's metadata, newest first. */
  public List<TokenInfo> list() {
    return store.inTransaction(c -> {
      List<TokenInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, token_hash, principal, policies, created_ms,"
          + " expires_ms, revoked, creator FROM sb_tokens ORDER BY created_ms DESC, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    });
  }
}
