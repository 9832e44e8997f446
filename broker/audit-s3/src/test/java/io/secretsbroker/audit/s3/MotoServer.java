package io.secretsbroker.audit.s3;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code moto_server} process (the AWS emulator) on a free loopback port, for one test class.
 * A copy of backend-aws's test helper (package-private there, so not shared through its test-jar). Found through the
 * environment variable {@value #ENV} or else on {@code PATH}; when it is missing, {@link #start()} fails the test
 * with a message saying how to install it (it is never skipped silently).
 */
final class MotoServer implements AutoCloseable {
  static final String ENV = "MOTO_SERVER";
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts moto and waits until its port accepts connections. */
  static MotoServer start() throws IOException, InterruptedException {
    Path executable = locate();
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      Path log = Files.createTempFile("moto-" + port + "-", ".log");
      Process process = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (awaitPort(process, port)) {
        return new MotoServer(process, port, log);
      }
      stop(process);
      if (attempt == 3) {
        throw new IllegalStateException("moto_server did not start on 127.0.0.1:" + port + " within "
            + START_LIMIT.toSeconds() + "s; its output:\n" + Files.readString(log));
      }
      Files.deleteIfExists(log);
    }
    throw new AssertionError("unreachable");
  }

  /** The port moto listens on. */
  int port() {
    return port;
  }

  /** The endpoint URL of moto. */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Stops moto and every process it started. */
  @Override
  public void close() {
    stop(process);
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path locate() {
    String configured = System.getenv(ENV);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        throw new AssertionError(ENV + " is set but does not name an executable file: " + configured);
      }
      return path;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "moto_server");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new AssertionError("moto_server (the AWS emulator these tests run against) was not found on PATH."
        + " Install it with `pip install 'moto[server]'`, or set " + ENV + " to its path.");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Polls the port until moto accepts a connection, moto exits, or the start limit passes. */
  private static boolean awaitPort(Process process, int port) throws InterruptedException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return process.isAlive();
      } catch (IOException notYet) {
        Thread.sleep(50); // polling for a process to come up, not waiting for time to pass
      }
    }
    return false;
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
