package io.secretsbroker.server;

import io.secretsbroker.server.config.BrokerConfig;
import io.secretsbroker.server.config.HostPort;
import io.secretsbroker.server.grpc.BrokerServer;
import io.secretsbroker.spi.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code secrets-broker}: starts the daemon. With no config file it runs in dev mode. */
@Command(name = "secrets-broker", mixinStandardHelpOptions = true, version = "secrets-broker 0.1.0",
    description = "Serves secrets from many backends behind one gRPC API, with caching, policies and audit.")
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(names = "--config", description = "YAML config file (env SECRETS_BROKER_CONFIG). Without one: dev mode.")
  Path config;

  @Option(names = "--listen", description = "gRPC address host:port (default ${DEFAULT-VALUE} in dev mode)")
  String listen;

  @Option(names = "--port", description = "gRPC port on the configured host")
  Integer port;

  @Option(names = "--metrics-listen", description = "Prometheus endpoint host:port, or 'off'")
  String metricsListen;

  @Option(names = "--data-dir", description = "Data folder (H2 state, master key, root token)")
  String dataDir;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    Path file = config != null ? config
        : env.containsKey("SECRETS_BROKER_CONFIG") ? Path.of(env.get("SECRETS_BROKER_CONFIG")) : null;
    if (listen != null) {
      env.put("SECRETS_BROKER_LISTEN", listen);
    }
    if (metricsListen != null) {
      env.put("SECRETS_BROKER_METRICS_LISTEN", metricsListen);
    }
    if (dataDir != null) {
      env.put("SECRETS_BROKER_DATA_DIR", dataDir);
    }
    BrokerConfig cfg;
    try {
      cfg = BrokerConfig.load(file, env);
      if (port != null) {
        HostPort l = cfg.listen().withPort(port);
        env.put("SECRETS_BROKER_LISTEN", l.toString());
        cfg = BrokerConfig.load(file, env);
      }
    } catch (ConfigException e) {
      System.err.println("secrets-broker: configuration error: " + e.getMessage());
      return 2;
    }
    BrokerServer server;
    try {
      server = BrokerServer.start(cfg, Clock.systemUTC());
    } catch (ConfigException e) {
      System.err.println("secrets-broker: configuration error: " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("secrets-broker: cannot listen on " + cfg.listen() + ": " + e.getMessage());
      return 1;
    } catch (io.secretsbroker.core.BrokerException e) {
      System.err.println("secrets-broker: cannot start: " + e.getMessage());
      return 1;
    }
    BrokerConfig running = cfg;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: draining in-flight calls (up to {})", running.shutdownGrace());
      server.close();
      log.info("stopped");
    }, "shutdown"));
    log.info("Secrets Broker listening on {}:{} ({}){}", cfg.listen().host(), server.port(),
        cfg.tls().isPresent() ? "TLS" : "plaintext, loopback only",
        cfg.devMode() ? " in dev mode" : "");
    if (server.metricsPort() > 0) {
      log.info("metrics on http://{}:{}/metrics", cfg.metricsListen().get().host(), server.metricsPort());
    }
    if (cfg.auth().rootTokenFile().isPresent()) {
      Path tokenFile = cfg.auth().rootTokenFile().get();
      if (server.rootTokenCreated()) {
        System.out.println("Root token written to " + tokenFile + " (mode 0600). sbctl reads it from there;"
            + " keep it private.");
      } else {
        log.info("root token in {}", tokenFile);
      }
    }
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
