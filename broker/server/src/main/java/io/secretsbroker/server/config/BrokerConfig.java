package io.secretsbroker.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.secretsbroker.core.ServiceLimits;
import io.secretsbroker.core.backend.ResilienceSettings;
import io.secretsbroker.core.cache.CacheSettings;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole daemon configuration, validated. Built by {@link #load} from a YAML file (or none: dev mode) plus
 * environment overrides; every error names its key path. Defaults are the named constants below and are
 * documented in {@code docs/configuration.md}.
 *
 * @param devMode true when no config file was given
 * @param listen the gRPC listen address
 * @param metricsListen the Prometheus endpoint's address, empty to turn it off
 * @param dataDir the data folder (H2 state, master key, root token)
 * @param tls TLS settings, empty for plaintext (loopback only)
 * @param state the state database
 * @param limits request size limits
 * @param mounts the mounts, in file order
 * @param auth identity settings
 * @param policiesDir the folder of {@code *.hcl} policies, empty for none (root only)
 * @param policyReloadInterval how often the policy folder is checked for changes
 * @param changePollInterval how often the change feed is polled for other replicas' changes
 * @param shutdownGrace how long in-flight calls may take to finish at shutdown
 * @param audit audit log settings
 * @param rateLimit per-principal request rate limit, empty for none
 * @param rotation the rotation scheduler and default rotation policies
 */
public record BrokerConfig(
    boolean devMode,
    HostPort listen,
    Optional<HostPort> metricsListen,
    Path dataDir,
    Optional<TlsConfig> tls,
    StateSettings state,
    ServiceLimits limits,
    List<MountConfig> mounts,
    AuthConfig auth,
    Optional<Path> policiesDir,
    Duration policyReloadInterval,
    Duration changePollInterval,
    Duration shutdownGrace,
    AuditConfig audit,
    Optional<RateLimit> rateLimit,
    RotationConfig rotation) {

  /** Default gRPC address. */
  public static final String DEFAULT_LISTEN = "127.0.0.1:7700";
  /** Default metrics address. */
  public static final String DEFAULT_METRICS_LISTEN = "127.0.0.1:9464";
  /** Default data folder, relative to the working directory. */
  public static final String DEFAULT_DATA_DIR = ".secrets-broker";
  /** Default policy folder, relative to the working directory, used when it exists. */
  public static final String DEFAULT_POLICIES_DIR = "policies-hcl";
  /** Default token lifetime. */
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(720);
  /** Default longest token lifetime (Vault's default max TTL). */
  public static final Duration DEFAULT_TOKEN_MAX_TTL = Duration.ofHours(768);
  /** Default policy reload check interval. */
  public static final Duration DEFAULT_POLICY_RELOAD = Duration.ofSeconds(2);
  /** Default change-feed poll interval (bounds cross-replica propagation when notifications are lost). */
  public static final Duration DEFAULT_CHANGE_POLL = Duration.ofSeconds(1);
  /** Default shutdown grace. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);

  private static final Set<String> ROOT_KEYS = Set.of("listen", "metrics-listen", "data-dir", "tls", "state",
      "cache", "limits", "mounts", "auth", "policies", "change-poll-interval", "shutdown-grace", "audit", "rotation");

  /**
   * TLS for the gRPC port.
   *
   * @param certFile PEM server certificate chain
   * @param keyFile PEM private key (PKCS#8)
   * @param clientCaFile PEM CA that client certificates must chain to; absent = no mTLS
   * @param requireClientCert whether a client certificate is required (else optional, tokens still work)
   */
  public record TlsConfig(Path certFile, Path keyFile, Optional<Path> clientCaFile, boolean requireClientCert) {}

  /**
   * Audit settings.
   *
   * @param jsonLinesFile a file that mirrors every durable record as one JSON line, for SIEM shipping
   * @param appendTimeout how long a request waits for its audit record to be durable before it fails
   * @param enabled false turns auditing off entirely (for benchmarks; logged loudly at start)
   * @param dir the journal directory (default {@code data-dir/audit})
   * @param keyFile the HMAC key of the chain, 0600 (default {@code data-dir/audit.key}; replicas share one)
   * @param replicaId this replica's id (default: generated once and kept in {@code data-dir/replica-id})
   * @param anchor where checkpoints are anchored: a directory (another volume) or {@code s3://bucket/prefix}
   * @param segmentBytes a journal segment is closed at this size
   * @param checkpointInterval how often a checkpoint is made while records arrive
   * @param retention closed segments older than this are archived (when an archive is set) and deleted
   * @param archive where closed segments go before deletion: a directory or {@code s3://bucket/prefix}
   */
  public record AuditConfig(Optional<Path> jsonLinesFile, Duration appendTimeout, boolean enabled, Path dir,
      Path keyFile, Optional<String> replicaId, Optional<String> anchor, long segmentBytes,
      Duration checkpointInterval, Duration retention, Optional<String> archive) {}

  /**
   * A per-principal token bucket.
   *
   * @param requestsPerSecond average requests a second
   * @param burst the most requests at once
   */
  public record RateLimit(int requestsPerSecond, int burst) {}

  /** Default wait for an audit record to become durable. */
  public static final Duration DEFAULT_AUDIT_APPEND_TIMEOUT = Duration.ofSeconds(5);
  /** Default audit retention: 400 days (13 months and some), then segments are archived and deleted. */
  public static final Duration DEFAULT_AUDIT_RETENTION = Duration.ofDays(400);
  /** Default audit segment size, in MiB. */
  public static final int DEFAULT_AUDIT_SEGMENT_MIB = 64;

  /**
   * One mount.
   *
   * @param prefix "" or a name prefix ending in '/'
   * @param backend the backend section (its {@code type} chooses the provider)
   * @param cache the cache settings
   * @param resilience retry and circuit-breaker settings
   */
  public record MountConfig(String prefix, Settings backend, CacheSettings cache, ResilienceSettings resilience) {
    /** The backend kind. */
    public String type() {
      return backend.string("type");
    }
  }

  /**
   * Identity settings.
   *
   * @param rootTokenFile where the root token is written (dev mode) — absent: no root token
   * @param bindings principal pattern → policy names, in file order
   * @param tokenDefaultTtl lifetime of tokens created without a TTL
   * @param tokenMaxTtl the longest lifetime a token may be given
   * @param failedAuthLimit failed authentications a peer address may have per window before it is refused
   * @param failedAuthWindow the window of {@code failedAuthLimit}
   */
  public record AuthConfig(Optional<Path> rootTokenFile, List<Binding> bindings, Duration tokenDefaultTtl,
      Duration tokenMaxTtl, int failedAuthLimit, Duration failedAuthWindow) {}

  /**
   * Policies granted to principals matching a pattern.
   *
   * @param principal exact principal, or a glob ending in '*'
   * @param policies policy names
   */
  public record Binding(String principal, List<String> policies) {}

  /**
   * Loads the configuration.
   *
   * @param file the YAML file, or null for dev mode
   * @param env environment variables (SECRETS_BROKER_LISTEN, SECRETS_BROKER_METRICS_LISTEN,
   *     SECRETS_BROKER_DATA_DIR override the file)
   * @throws ConfigException naming the key path of the first problem
   */
  public static BrokerConfig load(Path file, Map<String, String> env) {
    Map<String, Object> raw = Map.of();
    if (file != null) {
      raw = readYaml(file);
    }
    return fromSettings(new Settings("", raw), file == null, env);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readYaml(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + ": not found");
    }
    try {
      Object parsed = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
      if (parsed == null) {
        return Map.of();
      }
      if (!(parsed instanceof Map)) {
        throw new ConfigException("config file " + file + ": the top level must be a mapping");
      }
      return (Map<String, Object>) parsed;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      throw new ConfigException("config file " + file + ": not valid YAML" + where);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  static BrokerConfig fromSettings(Settings root, boolean devMode, Map<String, String> env) {
    root.allowOnly(ROOT_KEYS);
    HostPort listen = HostPort.parse(root.pathOf("listen"),
        env.getOrDefault("SECRETS_BROKER_LISTEN", root.string("listen", DEFAULT_LISTEN)));
    String metricsText = env.getOrDefault("SECRETS_BROKER_METRICS_LISTEN",
        root.string("metrics-listen", DEFAULT_METRICS_LISTEN));
    Optional<HostPort> metrics = metricsText.equals("off") ? Optional.empty()
        : Optional.of(HostPort.parse(root.pathOf("metrics-listen"), metricsText));
    Path dataDir = Path.of(env.getOrDefault("SECRETS_BROKER_DATA_DIR", root.string("data-dir", DEFAULT_DATA_DIR)));

    Optional<TlsConfig> tls = tls(root.section("tls"));
    if (tls.isEmpty() && !listen.isLoopback()) {
      throw new ConfigException(root.pathOf("listen") + ": " + listen
          + " is not a loopback address; listening beyond loopback requires tls.cert-file and tls.key-file");
    }
    StateSettings state = state(root.section("state"), dataDir, env);
    ServiceLimits limits = limits(root.section("limits"));
    CacheSettings defaultCache = cache(root.section("cache"), CacheSettings.defaults());
    List<MountConfig> mounts = mounts(root, defaultCache);
    AuthConfig auth = auth(root.section("auth"), devMode, dataDir);

    Settings policies = root.section("policies").allowOnly(Set.of("dir", "reload-interval"));
    Optional<Path> policiesDir = policies.optString("dir").map(Path::of);
    if (policiesDir.isEmpty() && Files.isDirectory(Path.of(DEFAULT_POLICIES_DIR))) {
      policiesDir = Optional.of(Path.of(DEFAULT_POLICIES_DIR));
    }
    if (policiesDir.isPresent() && policies.has("dir") && !Files.isDirectory(policiesDir.get())) {
      throw new ConfigException(policies.pathOf("dir") + ": " + policiesDir.get() + " is not a directory");
    }
    Duration reload = policies.duration("reload-interval", DEFAULT_POLICY_RELOAD, Duration.ofMillis(100),
        Duration.ofHours(1));
    Duration poll = root.duration("change-poll-interval", DEFAULT_CHANGE_POLL, Duration.ofMillis(50),
        Duration.ofSeconds(60));
    Duration grace = root.duration("shutdown-grace", DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofMinutes(10));
    AuditConfig audit = audit(root.section("audit"), dataDir);
    return new BrokerConfig(devMode, listen, metrics, dataDir, tls, state, limits, mounts, auth, policiesDir, reload,
        poll, grace, audit, rateLimit(root.section("limits")), RotationConfig.parse(root.section("rotation")));
  }

  private static AuditConfig audit(Settings s, Path dataDir) {
    s.allowOnly(Set.of("file", "append-timeout", "enabled", "dir", "key-file", "replica-id", "anchor",
        "segment-size-mib", "checkpoint-interval", "retention", "archive"));
    Optional<String> replica = s.optString("replica-id");
    if (replica.isPresent()) {
      try {
        io.secretsbroker.audit.Replicas.requireValid(replica.get());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(s.pathOf("replica-id") + ": " + e.getMessage());
      }
    }
    Optional<String> anchor = location(s, "anchor");
    Optional<String> archive = location(s, "archive");
    AuditConfig audit = new AuditConfig(s.optString("file").map(Path::of),
        s.duration("append-timeout", DEFAULT_AUDIT_APPEND_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1)),
        s.bool("enabled", true), Path.of(s.string("dir", dataDir.resolve("audit").toString())),
        Path.of(s.string("key-file", dataDir.resolve("audit.key").toString())), replica, anchor,
        (long) s.integer("segment-size-mib", DEFAULT_AUDIT_SEGMENT_MIB, 1, 1024) * 1024 * 1024,
        s.duration("checkpoint-interval", io.secretsbroker.audit.AuditJournal.Settings.DEFAULT_CHECKPOINT_INTERVAL,
            Duration.ofMillis(10), Duration.ofMinutes(10)),
        s.duration("retention", DEFAULT_AUDIT_RETENTION, Duration.ofHours(1), Duration.ofDays(36_500)), archive);
    if (!audit.enabled() && audit.jsonLinesFile().isPresent()) {
      throw new ConfigException(s.pathOf("file") + ": cannot mirror an audit log that is turned off");
    }
    return audit;
  }

  /** A directory path or {@code s3://bucket[/prefix]}. */
  private static Optional<String> location(Settings s, String key) {
    Optional<String> v = s.optString(key);
    if (v.isPresent() && io.secretsbroker.audit.s3.S3Location.isS3(v.get())) {
      try {
        io.secretsbroker.audit.s3.S3Location.parse(v.get());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(s.pathOf(key) + ": " + e.getMessage());
      }
    } else if (v.isPresent() && v.get().isBlank()) {
      throw new ConfigException(s.pathOf(key) + ": a directory or s3://bucket/prefix");
    }
    return v;
  }

  private static Optional<TlsConfig> tls(Settings s) {
    s.allowOnly(Set.of("cert-file", "key-file", "client-ca-file", "require-client-cert"));
    if (!s.has("cert-file") && !s.has("key-file") && !s.has("client-ca-file")) {
      return Optional.empty();
    }
    Path cert = existingFile(s, "cert-file");
    Path key = existingFile(s, "key-file");
    Optional<Path> ca = s.has("client-ca-file") ? Optional.of(existingFile(s, "client-ca-file")) : Optional.empty();
    boolean require = s.bool("require-client-cert", false);
    if (require && ca.isEmpty()) {
      throw new ConfigException(s.pathOf("require-client-cert") + ": needs tls.client-ca-file");
    }
    return Optional.of(new TlsConfig(cert, key, ca, require));
  }

  private static Path existingFile(Settings s, String key) {
    Path p = Path.of(s.string(key));
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException(s.pathOf(key) + ": " + p + " is not a readable file");
    }
    return p;
  }

  private static StateSettings state(Settings s, Path dataDir, Map<String, String> env) {
    s.allowOnly(Set.of("type", "url", "username", "password-env", "pool-size"));
    String type = s.string("type", "h2");
    int pool = s.integer("pool-size", 8, 1, 200);
    switch (type) {
      case "h2":
        if (s.has("url")) {
          throw new ConfigException(s.pathOf("url") + ": only for type postgresql (h2 lives in data-dir)");
        }
        return new StateSettings("h2", null, null, null, pool, dataDir);
      case "postgresql":
        String url = s.string("url");
        if (!url.startsWith("jdbc:postgresql://")) {
          throw new ConfigException(s.pathOf("url") + ": must start with jdbc:postgresql://");
        }
        String password = s.optString("password-env").map(name -> {
          String v = env.get(name);
          if (v == null) {
            throw new ConfigException(s.pathOf("password-env") + ": environment variable " + name + " is not set");
          }
          return v;
        }).orElse(null);
        return new StateSettings("postgresql", url, s.string("username", "postgres"), password, pool, dataDir);
      default:
        throw new ConfigException(s.pathOf("type") + ": must be h2 or postgresql, got '" + type + "'");
    }
  }

  private static ServiceLimits limits(Settings s) {
    s.allowOnly(Set.of("max-value-bytes", "max-batch-size", "requests-per-second", "burst"));
    return new ServiceLimits(
        s.integer("max-value-bytes", ServiceLimits.MAX_VALUE_BYTES, 1, ServiceLimits.MAX_VALUE_BYTES),
        s.integer("max-batch-size", ServiceLimits.MAX_BATCH_SIZE, 1, 1000));
  }

  private static Optional<RateLimit> rateLimit(Settings s) {
    int rps = s.integer("requests-per-second", 0, 0, 1_000_000);
    int burst = s.integer("burst", Math.max(1, rps), 1, 10_000_000);
    return rps == 0 ? Optional.empty() : Optional.of(new RateLimit(rps, burst));
  }

  private static CacheSettings cache(Settings s, CacheSettings defaults) {
    s.allowOnly(Set.of("ttl", "max-size", "refresh-ahead"));
    Duration ttl = s.duration("ttl", defaults.ttl(), Duration.ZERO, Duration.ofDays(1));
    int max = s.integer("max-size", (int) defaults.maximumSize(), 1, 10_000_000);
    double refresh = defaults.refreshAhead();
    if (s.has("refresh-ahead")) {
      try {
        refresh = Double.parseDouble(s.string("refresh-ahead"));
      } catch (NumberFormatException e) {
        throw new ConfigException(s.pathOf("refresh-ahead") + ": expected a number between 0.5 and 1.0");
      }
      if (refresh < 0.5 || refresh > 1.0) {
        throw new ConfigException(s.pathOf("refresh-ahead") + ": must be between 0.5 and 1.0, got " + refresh);
      }
    }
    return new CacheSettings(ttl, max, refresh);
  }

  private static ResilienceSettings resilience(Settings s) {
    s.allowOnly(Set.of("max-attempts", "initial-backoff", "max-backoff", "failure-rate-threshold",
        "sliding-window-size", "open-duration"));
    ResilienceSettings d = ResilienceSettings.defaults();
    return new ResilienceSettings(
        s.integer("max-attempts", d.maxAttempts(), 1, 10),
        s.duration("initial-backoff", d.initialBackoff(), Duration.ofMillis(1), Duration.ofMinutes(1)),
        s.duration("max-backoff", d.maxBackoff(), Duration.ofMillis(1), Duration.ofMinutes(5)),
        s.integer("failure-rate-threshold", (int) d.failureRateThreshold(), 1, 100),
        s.integer("sliding-window-size", d.slidingWindowSize(), 1, 1000),
        s.duration("open-duration", d.openDuration(), Duration.ofMillis(1), Duration.ofHours(1)));
  }

  private static List<MountConfig> mounts(Settings root, CacheSettings defaultCache) {
    List<Settings> list = root.sections("mounts");
    if (list.isEmpty()) {
      Settings local = new Settings(root.pathOf("mounts[0].backend"), Map.of("type", "local"));
      return List.of(new MountConfig("", local, defaultCache, ResilienceSettings.defaults()));
    }
    List<MountConfig> out = new ArrayList<>();
    java.util.Set<String> prefixes = new java.util.HashSet<>();
    for (Settings m : list) {
      m.allowOnly(Set.of("prefix", "backend", "cache", "resilience"));
      String prefix = m.has("prefix") ? m.asMap().get("prefix").toString() : null;
      if (prefix == null) {
        throw new ConfigException(m.pathOf("prefix") + ": required (\"\" for the root mount)");
      }
      if (!prefix.isEmpty()) {
        if (!prefix.endsWith("/")) {
          throw new ConfigException(m.pathOf("prefix") + ": must end with '/', got '" + prefix + "'");
        }
        try {
          io.secretsbroker.core.SecretNames.requireValidPrefix("prefix", prefix);
        } catch (io.secretsbroker.core.BrokerException e) {
          throw new ConfigException(m.pathOf("prefix") + ": " + e.getMessage().substring("prefix: ".length()));
        }
      }
      if (!prefixes.add(prefix)) {
        throw new ConfigException(m.pathOf("prefix") + ": another mount already uses '" + prefix + "'");
      }
      Settings backend = m.section("backend");
      backend.string("type");
      out.add(new MountConfig(prefix, backend, cache(m.section("cache"), defaultCache),
          resilience(m.section("resilience"))));
    }
    return out;
  }

  private static AuthConfig auth(Settings s, boolean devMode, Path dataDir) {
    s.allowOnly(Set.of("root-token-file", "bindings", "token-default-ttl", "token-max-ttl", "failed-auth-limit",
        "failed-auth-window"));
    Optional<Path> rootToken = s.optString("root-token-file").map(Path::of);
    if (rootToken.isEmpty() && devMode) {
      rootToken = Optional.of(dataDir.resolve("root-token"));
    }
    List<Binding> bindings = new ArrayList<>();
    for (Settings b : s.sections("bindings")) {
      b.allowOnly(Set.of("principal", "policies"));
      String principal = b.string("principal");
      int star = principal.indexOf('*');
      if (star >= 0 && star != principal.length() - 1) {
        throw new ConfigException(b.pathOf("principal") + ": '*' is allowed only at the end, got '" + principal + "'");
      }
      List<String> policies = b.strings("policies");
      if (policies.isEmpty()) {
        throw new ConfigException(b.pathOf("policies") + ": at least one policy name required");
      }
      bindings.add(new Binding(principal, policies));
    }
    Duration maxTtl = s.duration("token-max-ttl", DEFAULT_TOKEN_MAX_TTL, Duration.ofMinutes(1),
        Duration.ofDays(3650));
    Duration ttl = s.duration("token-default-ttl", DEFAULT_TOKEN_TTL, Duration.ofMinutes(1), Duration.ofDays(3650));
    if (ttl.compareTo(maxTtl) > 0) {
      throw new ConfigException(s.pathOf("token-default-ttl") + ": must not exceed auth.token-max-ttl ("
          + maxTtl.toHours() + "h)");
    }
    return new AuthConfig(rootToken, bindings, ttl, maxTtl,
        s.integer("failed-auth-limit", io.secretsbroker.core.auth.FailedAuthGuard.DEFAULT_LIMIT, 1, 1_000_000),
        s.duration("failed-auth-window", io.secretsbroker.core.auth.FailedAuthGuard.DEFAULT_WINDOW,
            Duration.ofSeconds(1), Duration.ofHours(1)));
  }
}
