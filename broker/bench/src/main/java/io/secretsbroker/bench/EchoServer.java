package io.secretsbroker.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.GetSecretResponse;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.Stage;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The echo leg: a bare grpc-java server on {@code directExecutor()} whose {@code GetSecret} returns one fixed
 * response shaped like the daemon's (name, 31-byte value, version, stage, created time, cache TTL). No auth, no
 * cache lookup, no audit: the transport's ceiling on this machine.
 */
final class EchoServer extends SecretsServiceGrpc.SecretsServiceImplBase {
  private final GetSecretResponse response;

  EchoServer(GetSecretResponse response) {
    this.response = response;
  }

  /** A response of the same shape and size as the daemon's answer for {@link BenchSecret}. */
  static GetSecretResponse fixedResponse(Instant created) {
    return GetSecretResponse.newBuilder()
        .setName(BenchSecret.NAME)
        .setValue(ByteString.copyFrom(BenchSecret.value()))
        .setVersion("1")
        .addStages(Stage.STAGE_CURRENT)
        .setCreatedTime(Timestamp.newBuilder().setSeconds(created.getEpochSecond()).setNanos(created.getNano()))
        .setCacheTtl(com.google.protobuf.Duration.newBuilder().setSeconds(Duration.ofMinutes(5).toSeconds()))
        .build();
  }

  @Override
  public void getSecret(GetSecretRequest request, StreamObserver<GetSecretResponse> out) {
    out.onNext(response);
    out.onCompleted();
  }

  /**
   * Starts the echo server in a child JVM.
   *
   * @throws IOException if the child does not come up
   */
  static LegProcess start(Path legDir, Optional<SelfSignedCert> tls, Optional<Path> jfrDir, Workspace workspace)
      throws IOException {
    List<String> args = tls.map(t -> List.of(t.certFile().toAbsolutePath().toString(),
        t.keyFile().toAbsolutePath().toString())).orElse(List.of());
    return LegProcess.start(Leg.ECHO, EchoServer.class, args, legDir, jfrDir, workspace);
  }

  /**
   * The child: {@code EchoServer [<cert.pem> <key.pem>]} — plaintext without arguments.
   *
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    ServerCredentials credentials = args.length == 2
        ? TlsServerCredentials.create(new File(args[0]), new File(args[1]))
        : InsecureServerCredentials.create();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
        .directExecutor()
        .addService(new EchoServer(fixedResponse(Instant.now())))
        .build()
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "echo-stop"));
    LegProcess.reportPortAndAwaitParent(server.getPort());
    System.exit(0);
  }
}
