package io.secretsbroker.bench;

import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.grpc.BrokerServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the real daemon for a daemon leg: on the parent side it writes the config and starts the child JVM; in the
 * child ({@link #main}) it starts {@link BrokerServer} on a free loopback port with metrics off.
 */
final class DaemonLauncher {
  private DaemonLauncher() {}

  /**
   * Starts the daemon in a child JVM with a fresh data folder {@code legDir/data}.
   *
   * @param leg {@link Leg#AUDIT_ON} or {@link Leg#AUDIT_OFF}
   * @param tls the certificate to serve, if any
   * @throws IOException if the child does not come up
   */
  static LegProcess start(Leg leg, Path legDir, Optional<SelfSignedCert> tls, Optional<Path> jfrDir,
      Workspace workspace) throws IOException {
    if (!leg.isDaemon()) {
      throw new IllegalArgumentException(leg.id() + " is not a daemon leg");
    }
    Path dataDir = dataDir(legDir);
    StringBuilder yaml = new StringBuilder()
        .append("audit: { enabled: ").append(leg == Leg.AUDIT_ON).append(" }\n")
        .append("auth: { root-token-file: ").append(quoted(dataDir.resolve("root-token"))).append(" }\n");
    tls.ifPresent(t -> yaml.append("tls: { cert-file: ").append(quoted(t.certFile()))
        .append(", key-file: ").append(quoted(t.keyFile())).append(" }\n"));
    Path config = legDir.resolve("config.yaml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    return LegProcess.start(leg, DaemonLauncher.class, List.of(config.toString(), dataDir.toString()), legDir,
        jfrDir, workspace);
  }

  /** The daemon's data folder inside a leg's folder. */
  static Path dataDir(Path legDir) {
    return legDir.resolve("data");
  }

  /** The root token the daemon wrote to its data folder. */
  static String rootToken(Path legDir) throws IOException {
    return Files.readString(dataDir(legDir).resolve("root-token"), StandardCharsets.UTF_8).trim();
  }

  private static String quoted(Path p) {
    return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  /**
   * The child: {@code DaemonLauncher <config.yaml> <data dir>}.
   *
   * @throws Exception if the daemon cannot start (the parent shows the child's stderr)
   */
  public static void main(String[] args) throws Exception {
    BrokerConfig config = BrokerConfig.load(Path.of(args[0]), Map.of(
        "SECRETS_BROKER_DATA_DIR", args[1],
        "SECRETS_BROKER_LISTEN", "127.0.0.1:0",
        "SECRETS_BROKER_METRICS_LISTEN", "off"));
    BrokerServer server = BrokerServer.start(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "daemon-stop"));
    LegProcess.reportPortAndAwaitParent(server.port());
    System.exit(0);
  }
}
