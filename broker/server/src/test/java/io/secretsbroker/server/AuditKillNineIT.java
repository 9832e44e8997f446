package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon (its shaded jar, in its own process) is killed with SIGKILL while clients read: after a restart on
 * the same data folder, every read the clients received OK has its audit record (found by request id), and the
 * chain verifies.
 */
class AuditKillNineIT {
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final int READERS = 8;
  private static final int OK_READS_BEFORE_KILL = 3_000;

  @TempDir
  Path tmp;

  @Test
  void killedUnderReadLoad_everyAnsweredReadHasItsRecordAfterRestart() throws Exception {
    Path dataDir = tmp.resolve("data");
    int port = freePort();
    Process daemon = startDaemon(dataDir, port);
    Set<String> answered = ConcurrentHashMap.newKeySet();
    try {
      awaitListening(port, daemon);
      String token = Files.readString(dataDir.resolve("root-token")).trim();
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        SecretsServiceGrpc.SecretsServiceBlockingStub secrets = authed(SecretsServiceGrpc.newBlockingStub(channel),
            token);
        secrets.putSecret(PutSecretRequest.newBuilder().setName("kill/db-password")
            .setValue(ByteString.copyFromUtf8("s3cr3t")).build());
        CountDownLatch enough = new CountDownLatch(OK_READS_BEFORE_KILL);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Thread[] readers = new Thread[READERS];
        for (int i = 0; i < READERS; i++) {
          readers[i] = new Thread(() -> readUntilStopped(secrets, answered, enough, stop, unexpected));
          readers[i].start();
        }
        assertThat(enough.await(120, TimeUnit.SECONDS)).as("reads before the kill").isTrue();
        daemon.destroyForcibly(); // SIGKILL, while the readers are still reading
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : readers) {
          t.join(30_000);
        }
        assertThat(unexpected.get()).as("only UNAVAILABLE after the kill").isNull();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      daemon = startDaemon(dataDir, port);
      awaitListening(port, daemon);
      ManagedChannel again = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        VerifyAuditChainResponse v = authed(AuditServiceGrpc.newBlockingStub(again), token)
            .verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
        assertThat(v.getReason()).isEmpty();
        assertThat(v.getOk()).isTrue();
      } finally {
        again.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      daemon.destroyForcibly();
      daemon.waitFor(30, TimeUnit.SECONDS);
    }

    Set<String> recorded = new HashSet<>();
    List<Path> segments = JournalReader.segments(dataDir.resolve("audit"));
    AuditVerifier.Result r = AuditVerifier.verify(segments, p -> Long.MAX_VALUE,
        AuditKey.load(dataDir.resolve("audit.key")), null, Optional.empty(), 0, 0,
        rec -> recorded.add(rec.entry().requestId()));
    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(answered).hasSizeGreaterThanOrEqualTo(OK_READS_BEFORE_KILL);
    Set<String> missing = new HashSet<>(answered);
    missing.removeAll(recorded);
    assertThat(missing).as("answered reads without an audit record").isEmpty();
  }

  private static void readUntilStopped(SecretsServiceGrpc.SecretsServiceBlockingStub secrets, Set<String> answered,
      CountDownLatch enough, AtomicBoolean stop, AtomicReference<Throwable> unexpected) {
    GetSecretRequest req = GetSecretRequest.newBuilder().setName("kill/db-password").build();
    while (!stop.get()) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      try {
        secrets.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .withDeadlineAfter(10, TimeUnit.SECONDS).getSecret(req);
        answered.add(headers.get().get(REQUEST_ID));
        enough.countDown();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
          unexpected.compareAndSet(null, e);
        }
        if (enough.getCount() == 0) {
          return; // the daemon is gone
        }
      }
    }
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S authed(S stub, String token) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private Process startDaemon(Path dataDir, int port) throws IOException {
    Path jar = Path.of("target/secrets-broker.jar").toAbsolutePath();
    assertThat(jar).as("the daemon's jar (built in the package phase)").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.createDirectories(tmp);
    return new ProcessBuilder(java, "-Xmx512m", "-jar", jar.toString(), "--data-dir", dataDir.toString(),
        "--listen", "127.0.0.1:" + port, "--metrics-listen", "off")
        .directory(tmp.toFile())
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("daemon-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  private static void awaitListening(int port, Process daemon) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(daemon.isAlive()).as("the daemon is running").isTrue();
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        daemon.waitFor(50, TimeUnit.MILLISECONDS);
      }
    }
    throw new AssertionError("the daemon did not listen on " + port + " within 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
