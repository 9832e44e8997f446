package io.secretsbroker.server.grpc;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.secretsbroker.core.SecretService;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.audit.AuditLog;
import io.secretsbroker.core.auth.TokenStore;
import io.secretsbroker.core.backend.MeteredBackend;
import io.secretsbroker.core.backend.ResilientBackend;
import io.secretsbroker.core.cache.CachingBackend;
import io.secretsbroker.core.metrics.BrokerMetrics;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.core.policy.PolicyAccessControl;
import io.secretsbroker.core.revocation.RevocationRegistry;
import io.secretsbroker.core.rotation.LeaderLock;
import io.secretsbroker.core.rotation.PostgresLeaderLock;
import io.secretsbroker.core.rotation.RotationEngine;
import io.secretsbroker.core.rotation.RotationPolicies;
import io.secretsbroker.core.rotation.RotationScheduler;
import io.secretsbroker.core.rotation.RotationService;
import io.secretsbroker.core.rotation.RotationSettings;
import io.secretsbroker.core.rotation.SecretAges;
import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.core.state.ChangeListener;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.policy.PolicyBindings;
import io.secretsbroker.policy.PolicyException;
import io.secretsbroker.policy.PolicySet;
import io.secretsbroker.policy.PolicyStore;
import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.config.BrokerConfig.MountConfig;
import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.SecretBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: state database, mounts, policies, audit log, gRPC server and metrics endpoint, wired from a
 * {@link BrokerConfig}. {@link #start} returns once the gRPC port listens; {@link #close} drains in-flight calls
 * for the configured grace, then releases everything. Used by {@code Main} and by end-to-end tests.
 */
public final class BrokerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerServer.class);

  private final BrokerConfig config;
  private final SegmentIo segmentIo;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private Server grpc;
  private MetricsEndpoint metricsEndpoint;
  private StateStore state;
  private ChangeFeed changes;
  private SecretService secrets;
  private RotationScheduler rotationScheduler;
  private AuditLog audit;
  private PrometheusMeterRegistry registry;
  private boolean rootTokenCreated;
  private ScheduledExecutorService scheduler;

  private BrokerServer(BrokerConfig config, SegmentIo segmentIo) {
    this.config = config;
    this.segmentIo = Objects.requireNonNull(segmentIo, "segmentIo");
  }

  /**
   * Builds and starts a broker.
   *
   * @throws ConfigException when a mount, policy folder or file named in the config is unusable
   * @throws IOException when a port cannot be bound
   */
  public static BrokerServer start(BrokerConfig config, Clock clock) throws IOException {
    return start(config, clock, SegmentIo.files());
  }

  /**
   * Builds and starts a broker whose audit journal writes its segment files through {@code segmentIo} (tests
   * inject a full disk or a failing fsync).
   *
   * @throws ConfigException when a mount, policy folder or file named in the config is unusable
   * @throws IOException when a port cannot be bound
   */
  public static BrokerServer start(BrokerConfig config, Clock clock, SegmentIo segmentIo) throws IOException {
    BrokerServer b = new BrokerServer(config, segmentIo);
    try {
      b.startInternal(clock);
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  private void startInternal(Clock clock) throws IOException {
    Path dataDir = config.dataDir();
    if (!Files.exists(dataDir)) {
      Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BrokerMetrics metrics = new BrokerMetrics(registry);
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "broker-scheduler");
      t.setDaemon(true);
      return t;
    });
    resources.add(scheduler::shutdownNow);
    this.scheduler = scheduler;

    state = StateStore.open(config.state());
    ownerOnly(dataDir);
    resources.add(state);

    MountTable mounts = new MountTable(buildMounts(clock, metrics));
    resources.add(mounts);

    ChangeFeed changes = new ChangeFeed(state, clock);
    this.changes = changes;
    if (state.shared()) {
      resources.add(ChangeListener.start(state, changes, registry));
    }
    RevocationRegistry revocations = new RevocationRegistry(state);
    TokenStore tokens = new TokenStore(state, clock);
    if (config.auth().rootTokenFile().isPresent()) {
      rootTokenCreated = RootToken.ensure(config.auth().rootTokenFile().get(), tokens);
    }

    Supplier<PolicySet> policies = loadPolicies(scheduler);
    Map<String, List<String>> bindingMap = new LinkedHashMap<>();
    config.auth().bindings().forEach(bd -> bindingMap.computeIfAbsent(bd.principal(), k -> new ArrayList<>())
        .addAll(bd.policies()));
    PolicyBindings bindings;
    try {
      bindings = PolicyBindings.of(bindingMap);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("auth.bindings: " + e.getMessage(), e);
    }
    AccessControl access = new PolicyAccessControl(policies, bindings, metrics);

    io.secretsbroker.core.audit.JsonLinesSink sink = null;
    if (config.audit().jsonLinesFile().isPresent()) {
      sink = new io.secretsbroker.core.audit.JsonLinesSink(config.audit().jsonLinesFile().get());
      resources.add(sink);
    }
    audit = openAudit(clock);
    resources.add(audit);
    java.util.Optional<io.secretsbroker.audit.ArchiveStore> archive = config.audit().archive()
        .map(location -> AuditStores.archive(location, System.getenv()));
    archive.ifPresent(resources::add);
    new io.secretsbroker.core.audit.AuditArchiver(audit, archive, config.audit().retention(), clock, registry)
        .schedule(scheduler);
    if (sink != null) {
      audit.addMirror(sink);
    }

    secrets = new SecretService(mounts, access, revocations, changes, metrics, config.limits(), clock);
    RotationPolicies rotationPolicies = new RotationPolicies(state, config.rotation().defaults(),
        config.rotation().prefixes());
    SecretAges ages = new SecretAges(mounts, rotationPolicies, clock);
    RotationSettings rotationSettings = config.rotation().settings().withTakeoverAfter(
        state.kind().equals("h2") ? Duration.ZERO : RotationSettings.SHARED_STATE_TAKEOVER_AFTER);
    RotationEngine rotationEngine = new RotationEngine(mounts, rotationPolicies, state, changes, registry, clock,
        rotationSettings);
    RotationService rotation = new RotationService(mounts, access, rotationEngine, ages, config.limits(), changes,
        clock);
    ScheduledExecutorService rotationThreads = Executors.newScheduledThreadPool(rotationSettings.concurrency(),
        r -> {
          Thread t = new Thread(r, "rotation-scheduler");
          t.setDaemon(true);
          return t;
        });
    resources.add(rotationThreads::shutdownNow);
    LeaderLock leaderLock = state.shared() ? new PostgresLeaderLock(state, registry) : LeaderLock.alwaysLeader();
    rotationScheduler = new RotationScheduler(rotationEngine, ages, leaderLock, rotationThreads, clock,
        registry, new java.security.SecureRandom().nextLong(),
        new RotationAudit(config.audit().enabled() ? audit : null, clock));
    resources.add(rotationScheduler);

    long pollMillis = config.changePollInterval().toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        changes.poll();
      } catch (RuntimeException e) {
        log.warn("change feed poll failed: {}", e.getMessage());
      }
    }, pollMillis, pollMillis, TimeUnit.MILLISECONDS);

    HealthStatusManager health = new HealthStatusManager();
    scheduler.scheduleWithFixedDelay(() -> {
      for (Mount m : mounts.mounts()) {
        health.setStatus("mount:" + m.prefix(), m.backend().healthy() ? ServingStatus.SERVING
            : ServingStatus.NOT_SERVING);
      }
    }, 0, 5, TimeUnit.SECONDS);

    AuditRecorder recorder = new AuditRecorder(config.audit().enabled() ? audit : null, clock);
    if (!config.audit().enabled()) {
      log.warn("AUDIT IS TURNED OFF (audit.enabled: false): requests are not recorded. Use only for benchmarks.");
    }
    io.secretsbroker.core.auth.RateLimiter limiter = config.rateLimit().isPresent()
        ? new io.secretsbroker.core.auth.RateLimiter(config.rateLimit().get().requestsPerSecond(),
            config.rateLimit().get().burst(), System::nanoTime)
        : null;
    io.secretsbroker.core.auth.FailedAuthGuard guard = new io.secretsbroker.core.auth.FailedAuthGuard(
        config.auth().failedAuthLimit(), config.auth().failedAuthWindow(), clock, System::nanoTime);
    scheduler.scheduleWithFixedDelay(() -> guard.drain().forEach(recorder::recordFailedAuthentications), 1, 1,
        TimeUnit.SECONDS);
    BrokerInterceptor interceptor = new BrokerInterceptor(new Identity(tokens), recorder, limiter, guard);
    CallExecutors executors = new CallExecutors(tokens);
    resources.add(executors);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(
        new InetSocketAddress(config.listen().host(), config.listen().port()), credentials())
        .addService(ServerInterceptors.intercept(new SecretsGrpcService(secrets, changes, access, config.limits(),
            scheduler, Duration.ofSeconds(15), clock, recorder, rotation, executors.blocking()), interceptor))
        .addService(ServerInterceptors.intercept(new RevocationGrpcService(secrets), interceptor))
        .addService(ServerInterceptors.intercept(new RotationGrpcService(rotation), interceptor))
        .addService(ServerInterceptors.intercept(new AuditGrpcService(audit, access, ages), interceptor))
        .addService(ServerInterceptors.intercept(new AdminGrpcService(tokens, access,
            config.auth().tokenDefaultTtl(), config.auth().tokenMaxTtl(), clock), interceptor))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        // Transport limits: the largest legal request is a put of the biggest value or a batch of the most names.
        .maxInboundMessageSize(maxRequestBytes(config.limits()))
        .maxInboundMetadataSize(MAX_HEADER_LIST_BYTES)
        .maxConcurrentCallsPerConnection(MAX_CONCURRENT_CALLS_PER_CONNECTION)
        .permitKeepAliveTime(MIN_CLIENT_KEEPALIVE.toSeconds(), TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(MAX_CONNECTION_IDLE.toMinutes(), TimeUnit.MINUTES)
        .maxConnectionAge(MAX_CONNECTION_AGE.toMinutes(), TimeUnit.MINUTES)
        .maxConnectionAgeGrace(MAX_CONNECTION_AGE_GRACE.toMinutes(), TimeUnit.MINUTES)
        .executor(executors.blocking())
        .callExecutor(executors);
    grpc = builder.build().start();
    rotationScheduler.start();
    health.setStatus("", ServingStatus.SERVING);

    if (config.metricsListen().isPresent()) {
      metricsEndpoint = new MetricsEndpoint(config.metricsListen().get(), registry);
    }
  }

  /** Request headers beyond this are refused (a token is under 100 bytes). */
  static final int MAX_HEADER_LIST_BYTES = 16 * 1024;
  /** Streams one connection may have open at once (one client's concurrency). */
  static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 1_024;
  /** Clients may ping at most this often; faster pings end the connection (keepalive enforcement). */
  static final Duration MIN_CLIENT_KEEPALIVE = Duration.ofSeconds(10);
  /** An idle connection is closed after this. */
  static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(30);
  /** A connection is asked to go away after this, so load spreads over replicas again (clients reconnect). */
  static final Duration MAX_CONNECTION_AGE = Duration.ofHours(1);
  /** In-flight calls (and watch streams) get this long to finish after the age is reached. */
  static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(5);

  /** The largest legal request: a put of the biggest value, or a batch of the most names, plus framing. */
  static int maxRequestBytes(io.secretsbroker.core.ServiceLimits limits) {
    int put = limits.maxValueBytes() + 4 * 1024;
    int batch = limits.maxBatchSize() * (512 + 300);
    return Math.max(put, batch) + 16 * 1024;
  }

  private AuditLog openAudit(Clock clock) throws IOException {
    BrokerConfig.AuditConfig ac = config.audit();
    String replica = ac.replicaId().isPresent() ? ac.replicaId().get() : ReplicaId.ensure(config.dataDir());
    io.secretsbroker.audit.AuditKey key;
    try {
      key = io.secretsbroker.audit.AuditKey.loadOrCreate(ac.keyFile());
    } catch (IOException e) {
      throw new ConfigException("audit.key-file: " + e.getMessage(), e);
    }
    io.secretsbroker.audit.Anchor anchor = ac.anchor().map(location -> AuditStores.anchor(location, System.getenv()))
        .orElse(null);
    if (anchor instanceof AutoCloseable closeable) {
      resources.add(closeable); // closed after the audit log, whose last checkpoint it anchors
    }
    AuditJournal.Settings js = new AuditJournal.Settings(ac.dir(), replica, ac.segmentBytes(),
        ac.checkpointInterval(), AuditJournal.Settings.DEFAULT_QUEUE_CAPACITY);
    log.info("audit journal {} (replica {}){}", ac.dir(), replica,
        anchor == null ? "; no anchor configured (audit.anchor): a cut tail after the last record is not detected"
            : ", anchored in " + anchor.describe());
    return AuditLog.open(state, registry, js, key, anchor, clock, segmentIo, ac.appendTimeout());
  }

  /** Makes the files the broker keeps in its data folder (H2 state, keys, tokens) readable by the owner only. */
  private static void ownerOnly(Path dataDir) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(dataDir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        }
      }
    }
  }

  private ServerCredentials credentials() throws IOException {
    if (config.tls().isEmpty()) {
      return InsecureServerCredentials.create();
    }
    BrokerConfig.TlsConfig tls = config.tls().get();
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
        .keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
    if (tls.clientCaFile().isPresent()) {
      b.trustManager(tls.clientCaFile().get().toFile());
      b.clientAuth(tls.requireClientCert() ? TlsServerCredentials.ClientAuth.REQUIRE
          : TlsServerCredentials.ClientAuth.OPTIONAL);
    }
    return b.build();
  }

  private List<Mount> buildMounts(Clock clock, BrokerMetrics metrics) {
    Map<String, BackendProvider> providers = new HashMap<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      providers.put(p.kind(), p);
    }
    List<Mount> mounts = new ArrayList<>();
    List<MountConfig> configs = config.mounts();
    for (int i = 0; i < configs.size(); i++) {
      MountConfig mc = configs.get(i);
      BackendProvider provider = providers.get(mc.type());
      if (provider == null) {
        throw new ConfigException(mc.backend().pathOf("type") + ": unknown backend type '" + mc.type()
            + "' (available: " + new java.util.TreeSet<>(providers.keySet()) + ")");
      }
      SecretBackend raw = provider.create(new BackendContext(mc.prefix(), mc.backend(), config.dataDir(),
          state.dataSource(), clock));
      SecretBackend resilient = new ResilientBackend(raw, mc.prefix(), mc.resilience());
      SecretBackend metered = new MeteredBackend(resilient, mc.prefix(), metrics.registry());
      CachingBackend cached = new CachingBackend(metered, mc.cache(), Ticker.systemTicker(),
          java.util.concurrent.ForkJoinPool.commonPool());
      mounts.add(new Mount(mc.prefix(), raw.kind(), cached));
    }
    return mounts;
  }

  private Supplier<PolicySet> loadPolicies(ScheduledExecutorService scheduler) {
    if (config.policiesDir().isEmpty()) {
      log.info("no policy folder: only principals holding the root policy are allowed anything");
      return PolicySet::empty;
    }
    Counter rejected = Counter.builder("secrets.policy.reload.failures")
        .description("Policy reloads rejected because a file did not parse").register(registry);
    Counter reloaded = Counter.builder("secrets.policy.reloads").description("Policy sets swapped in")
        .register(registry);
    PolicyStore store;
    try {
      store = PolicyStore.open(config.policiesDir().get(), new PolicyStore.Listener() {
        @Override
        public void reloaded(PolicySet policies) {
          reloaded.increment();
          log.info("policies reloaded: {}", policies.names());
        }

        @Override
        public void rejected(PolicyException error) {
          rejected.increment();
          log.error("policy change rejected, previous policies stay in force: {}", error.getMessage());
        }
      });
    } catch (PolicyException e) {
      throw new ConfigException("policies.dir: " + e.getMessage(), e);
    }
    resources.add(store);
    store.startPolling(scheduler, config.policyReloadInterval());
    log.info("policies loaded from {}: {}", config.policiesDir().get(), store.current().names());
    return store::current;
  }

  /** The gRPC port (useful when the config asked for port 0). */
  public int port() {
    return grpc.getPort();
  }

  /** The metrics port, or -1 when the endpoint is off. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /** Whether this start created the root token file. */
  public boolean rootTokenCreated() {
    return rootTokenCreated;
  }

  /** The core service (for tests and benchmarks in-process). */
  public SecretService secrets() {
    return secrets;
  }

  /** The change feed (tests subscribe to it in-process, e.g. to stop a rotation at its announcement). */
  public ChangeFeed changes() {
    return changes;
  }

  /** The rotation scheduler (tests run a scan with {@link RotationScheduler#runOnce()}). */
  public RotationScheduler rotationScheduler() {
    return rotationScheduler;
  }

  /** The audit log. */
  public AuditLog audit() {
    return audit;
  }

  /** The state database. */
  public StateStore state() {
    return state;
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  /** Stops accepting calls, lets in-flight ones finish within the grace, then releases everything. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow(); // no more polls or health probes against resources about to close
    }
    if (grpc != null) {
      grpc.shutdown();
      try {
        if (!grpc.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
          grpc.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        grpc.shutdownNow();
      }
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.warn("closing {} failed", resources.get(i), e);
      }
    }
    resources.clear();
  }
}
