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

  /**
   * Creates a token for {@code principal} with {@code policies}, valid for {@code ttl}.
   *
   * @throws BrokerException INVALID_ARGUMENT for an empty principal or a non-positive TTL
   */
  public IssuedToken create(String principal, List<String> policies, Duration ttl) {
    if (principal == null || principal.isBlank() || principal.length() > 512) {
      throw BrokerException.invalid("principal", "required, at most 512 characters");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw BrokerException.invalid("ttl", "must be positive");
    }
    for (String p : policies) {
      if (!p.matches("[A-Za-z0-9._-]{1,128}")) {
        throw BrokerException.invalid("policies", "policy names are [A-Za-z0-9._-]{1,128}, got '" + p + "'");
      }
    }
    String token = newToken();
    return new IssuedToken(token, insert(token, principal, policies, ttl));
  }

  /** Stores an existing token (the dev root token read back from its file) if its hash is not stored yet. */
  public TokenInfo ensure(String token, String principal, List<String> policies, Duration ttl) {
    Optional<TokenInfo> existing = lookupRow(hash(token));
    return existing.orElseGet(() -> insert(token, principal, policies, ttl));
  }

  private TokenInfo insert(String token, String principal, List<String> policies, Duration ttl) {
    String h = hash(token);
    Instant now = clock.instant();
    TokenInfo info = new TokenInfo(h.substring(0, 16), principal, policies, now, now.plus(ttl), false);
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sb_tokens (id, token_hash, principal, policies,"
          + " created_ms, expires_ms, revoked) VALUES (?, ?, ?, ?, ?, ?, FALSE)")) {
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
      info = lookupRow(h).orElse(null);
      if (info == null) {
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
          + " expires_ms, revoked FROM sb_tokens WHERE token_hash = ?")) {
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
        Instant.ofEpochMilli(rs.getLong(6)), rs.getBoolean(7));
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
          + " expires_ms, revoked FROM sb_tokens ORDER BY created_ms DESC, id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    });
  }
}
