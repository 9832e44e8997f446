package io.secretsbroker.backend.aws;

import java.io.IOException;

/**
 * An AWS Secrets Manager for tests in other modules: {@code moto_server} on a free loopback port behind a
 * {@link TcpProxy} that can take it down and bring it back. Published in this module's test-jar; the broker's
 * end-to-end tests configure a mount with {@code endpoint: <endpoint()>}, any region (e.g. {@code us-east-1}) and
 * dummy credentials in the {@code aws.*} system properties.
 */
public final class AwsFixture implements AutoCloseable {
  private final MotoServer moto;
  private final TcpProxy proxy;

  private AwsFixture(MotoServer moto, TcpProxy proxy) {
    this.moto = moto;
    this.proxy = proxy;
  }

  /**
   * Starts moto (found as {@link MotoServer} says) and the proxy in front of it.
   *
   * @throws AssertionError when {@code moto_server} cannot be found
   */
  public static AwsFixture start() throws IOException, InterruptedException {
    MotoServer moto = MotoServer.start();
    try {
      return new AwsFixture(moto, TcpProxy.start(moto.port()));
    } catch (IOException | RuntimeException e) {
      moto.close();
      throw e;
    }
  }

  /** The endpoint URL to configure, {@code http://127.0.0.1:<port>} (the proxy's). */
  public String endpoint() {
    return proxy.url();
  }

  /** Takes the service down as a client sees it: connections refused, open ones cut; moto keeps its data. */
  public void stopService() throws IOException {
    proxy.stop();
  }

  /** Brings the service back on the same endpoint. */
  public void startService() throws IOException {
    proxy.restart();
  }

  /** Stops the proxy, moto and moto's child processes. */
  @Override
  public void close() throws IOException {
    try {
      proxy.close();
    } finally {
      moto.close();
    }
  }
}
