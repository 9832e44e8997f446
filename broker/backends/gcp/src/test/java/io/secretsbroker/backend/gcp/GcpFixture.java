package io.secretsbroker.backend.gcp;

import java.io.IOException;

/**
 * A GCP Secret Manager for tests in other modules: the strict {@link FakeSecretManager} served over plaintext gRPC
 * on a free loopback port. Published in this module's test-jar; the broker's end-to-end tests configure a mount
 * with {@code project: <project()>}, {@code endpoint: <endpoint()>} and {@code plaintext: true}.
 */
public final class GcpFixture implements AutoCloseable {
  private final FakeSecretManagerServer server;

  private GcpFixture(FakeSecretManagerServer server) {
    this.server = server;
  }

  /** Starts the fake on a free loopback port. */
  public static GcpFixture start() throws IOException {
    return new GcpFixture(FakeSecretManagerServer.start());
  }

  /** The project id the fake serves. */
  public String project() {
    return FakeSecretManagerServer.PROJECT_ID;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String endpoint() {
    return server.endpoint();
  }

  /** How many calls of a method (e.g. {@code AccessSecretVersion}) the fake has answered or refused. */
  public int calls(String method) {
    return server.fake().calls(method);
  }

  /** Takes the server down; open connections are cut, the data is kept. */
  public void stopService() throws InterruptedException {
    server.stop();
  }

  /** Serves again on the same port with the same data. */
  public void startService() throws IOException {
    server.restart();
  }

  @Override
  public void close() {
    server.close();
  }
}
