package io.secretsbroker.server;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.proto.v1.AdminServiceGrpc;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
import io.secretsbroker.proto.v1.RevocationServiceGrpc;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.grpc.BrokerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A real broker on a free loopback port in a temporary data folder, with clients that carry a bearer token.
 * Start it with a YAML config body (or none: dev mode).
 */
public final class TestBroker implements AutoCloseable {
  public final Path dataDir;
  private final String yaml;
  private final Clock clock;
  private final SegmentIo segmentIo;
  private Path trustedCa;
  private BrokerServer server;
  private ManagedChannel channel;

  private TestBroker(Path dataDir, String yaml, Clock clock, SegmentIo segmentIo) {
    this.dataDir = dataDir;
    this.yaml = yaml;
    this.clock = clock;
    this.segmentIo = segmentIo;
  }

  /** Starts a dev-mode broker (no config file) in {@code dataDir}. */
  public static TestBroker dev(Path dataDir) throws Exception {
    return start(dataDir, null, Clock.systemUTC());
  }

  /**
   * Starts a broker from a YAML body; {@code data-dir}, {@code listen} and {@code metrics-listen} are supplied
   * by the environment overrides (temp dir, port 0, metrics on a free port).
   */
  public static TestBroker start(Path dataDir, String yaml, Clock clock) throws Exception {
    return start(dataDir, yaml, clock, SegmentIo.files());
  }

  /** As {@link #start(Path, String, Clock)}, with the audit journal writing through {@code segmentIo}. */
  public static TestBroker start(Path dataDir, String yaml, Clock clock, SegmentIo segmentIo) throws Exception {
    TestBroker b = new TestBroker(dataDir, yaml, clock, segmentIo);
    b.restart();
    return b;
  }

  /** Stops (if running) and starts again on the same data folder. */
  public void restart() throws Exception {
    stop();
    Map<String, String> env = new HashMap<>();
    env.put("SECRETS_BROKER_DATA_DIR", dataDir.toString());
    env.put("SECRETS_BROKER_LISTEN", "127.0.0.1:0");
    env.put("SECRETS_BROKER_METRICS_LISTEN", "127.0.0.1:0");
    Path file = null;
    if (yaml != null) {
      file = dataDir.resolveSibling(dataDir.getFileName() + "-config.yaml");
      Files.writeString(file, yaml);
    }
    BrokerConfig cfg = BrokerConfig.load(file, env);
    server = BrokerServer.start(cfg, clock, segmentIo);
    channel = newChannel();
  }

  /** Makes the clients speak TLS, trusting {@code caFile} (for brokers configured with TLS). */
  public TestBroker trusting(Path caFile) throws Exception {
    this.trustedCa = caFile;
    if (channel != null) {
      channel.shutdownNow();
      channel = newChannel();
    }
    return this;
  }

  private ManagedChannel newChannel() throws java.io.IOException {
    if (trustedCa == null) {
      return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }
    return NettyChannelBuilder.forAddress("127.0.0.1", server.port(),
        io.grpc.TlsChannelCredentials.newBuilder().trustManager(trustedCa.toFile()).build())
        .overrideAuthority("localhost").build();
  }

  /** Stops the broker (graceful). */
  public void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  public BrokerServer server() {
    return server;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** The dev root token from the data folder. */
  public String rootToken() throws Exception {
    return Files.readString(dataDir.resolve("root-token")).trim();
  }

  /** Bearer-token call credentials. */
  public static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        applier.apply(m);
      }
    };
  }

  public SecretsServiceGrpc.SecretsServiceBlockingStub secrets(String token) {
    return SecretsServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public SecretsServiceGrpc.SecretsServiceBlockingStub secretsAnonymous() {
    return SecretsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public AdminServiceGrpc.AdminServiceBlockingStub admin(String token) {
    return AdminServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public AuditServiceGrpc.AuditServiceBlockingStub audit(String token) {
    return AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public RevocationServiceGrpc.RevocationServiceBlockingStub revocation(String token) {
    return RevocationServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** The Prometheus text from the metrics endpoint. */
  public String scrapeMetrics() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var req = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build();
    return client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
