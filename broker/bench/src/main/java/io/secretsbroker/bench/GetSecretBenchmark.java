package io.secretsbroker.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.grpc.BrokerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cached {@code GetSecret} through the real gRPC server on loopback, with the durable hash-chained audit log on
 * (group commit) and off, next to a bare gRPC unary call (health check: no auth, no audit) as the ceiling.
 */
@State(Scope.Benchmark)
public class GetSecretBenchmark {

  @Param({"true", "false"})
  public boolean audit;

  private Path dir;
  private BrokerServer server;
  private ManagedChannel channel;
  private SecretsServiceGrpc.SecretsServiceBlockingStub secrets;
  private HealthGrpc.HealthBlockingStub health;
  private GetSecretRequest request;

  @Setup(Level.Trial)
  public void start() throws Exception {
    dir = Files.createTempDirectory("sb-bench");
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, "audit: { enabled: " + audit + " }\nauth: { root-token-file: "
        + dir.resolve("data/root-token") + " }\n");
    BrokerConfig cfg = BrokerConfig.load(config, Map.of("SECRETS_BROKER_DATA_DIR", dir.resolve("data").toString(),
        "SECRETS_BROKER_LISTEN", "127.0.0.1:0", "SECRETS_BROKER_METRICS_LISTEN", "off"));
    server = BrokerServer.start(cfg, Clock.systemUTC());
    String token = Files.readString(dir.resolve("data/root-token")).trim();
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    secrets = SecretsServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
    health = HealthGrpc.newBlockingStub(channel);
    secrets.putSecret(PutSecretRequest.newBuilder().setName("bench/db-password")
        .setValue(ByteString.copyFromUtf8("a-32-byte-password-for-benching")).build());
    request = GetSecretRequest.newBuilder().setName("bench/db-password").build();
    secrets.getSecret(request); // warm the cache
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A cached secret read: auth, policy, cache, revocation check, audit (when on). */
  @Benchmark
  public Object cachedGetSecret() {
    return secrets.getSecret(request);
  }

  /** A bare unary call on the same server and channel: the ceiling. */
  @Benchmark
  public Object bareGrpcHealthCheck() {
    return health.check(HealthCheckRequest.getDefaultInstance());
  }
}
