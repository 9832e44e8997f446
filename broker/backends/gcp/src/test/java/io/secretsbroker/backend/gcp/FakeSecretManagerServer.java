package io.secretsbroker.backend.gcp;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link FakeSecretManager} over plaintext gRPC on a loopback port chosen at start. {@link #stop} and
 * {@link #restart} take the server down and bring it back on the same port with the same data.
 */
final class FakeSecretManagerServer implements AutoCloseable {
  static final String PROJECT_ID = "test-project";
  static final String PROJECT_NUMBER = "123456789012";

  private final FakeSecretManager fake = new FakeSecretManager(PROJECT_ID, PROJECT_NUMBER);
  private Server server;
  private int port;

  private FakeSecretManagerServer() {}

  /** Starts a fake on a free loopback port. */
  static FakeSecretManagerServer start() throws IOException {
    FakeSecretManagerServer s = new FakeSecretManagerServer();
    s.listen(0);
    return s;
  }

  /** The fake behind the server. */
  FakeSecretManager fake() {
    return fake;
  }

  /** {@code 127.0.0.1:port}. */
  synchronized String endpoint() {
    return "127.0.0.1:" + port;
  }

  /** Takes the server down; open connections are cut. */
  synchronized void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
      server = null;
    }
  }

  /** Serves again on the same port. */
  synchronized void restart() throws IOException {
    if (server == null) {
      listen(port);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void listen(int onPort) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort))
        .withOption(ChannelOption.SO_REUSEADDR, true)
        .addService(fake)
        .build()
        .start();
    port = server.getPort();
  }
}
