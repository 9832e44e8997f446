package io.secretsbroker.cli;

import io.secretsbroker.client.SecretsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code sbctl} command: global connection options and the subcommands. */
@Command(
    name = "sbctl",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Root.Version.class,
    usageHelpAutoWidth = true,
    description = "Operate and audit a Secrets Broker.",
    footer = {
        "",
        "Environment: SECRETS_BROKER_ADDR, SECRETS_BROKER_TOKEN, SECRETS_BROKER_TOKEN_FILE.",
        "Exit codes: 0 ok, 1 the broker refused or failed the call (or a check failed), 2 usage error."},
    subcommands = {
        SecretCommands.Put.class,
        SecretCommands.Get.class,
        SecretCommands.ListSecrets.class,
        SecretCommands.Describe.class,
        SecretCommands.Delete.class,
        TokenCommands.class,
        PolicyCommands.class,
        AuditCommands.class,
        RotationCommands.Rotate.class,
        RotationCommands.class,
        RevocationCommands.Revoke.class,
        RevocationCommands.class,
        WatchCommand.class})
final class Root implements Callable<Integer> {
  static final String ADDRESS_ENV = SecretsClient.ADDRESS_ENV;
  static final String TOKEN_ENV = SecretsClient.TOKEN_ENV;
  static final String TOKEN_FILE_ENV = "SECRETS_BROKER_TOKEN_FILE";
  static final String DEFAULT_TOKEN_FILE = ".secrets-broker/root-token";
  static final int DEFAULT_RETRIES = 2;

  @Spec
  CommandSpec spec;

  @Option(names = "--addr", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "Broker address (env SECRETS_BROKER_ADDR; default 127.0.0.1:7700).")
  String address;

  @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
      description = "Bearer token (env SECRETS_BROKER_TOKEN). Prefer --token-file: arguments show in `ps`.")
  String token;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "File holding the bearer token (env SECRETS_BROKER_TOKEN_FILE; default "
          + DEFAULT_TOKEN_FILE + " if present).")
  Path tokenFile;

  @Option(names = "--ca", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "CA certificate(s) to trust; connects with TLS. Without it the connection is plaintext, "
          + "which only loopback addresses allow.")
  Path ca;

  @Option(names = "--cert", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "Client certificate for mutual TLS (with --ca and --key).")
  Path cert;

  @Option(names = "--key", paramLabel = "PEM", scope = ScopeType.INHERIT,
      description = "PKCS#8 private key of --cert.")
  Path key;

  @Option(names = "--deadline", paramLabel = "DURATION", scope = ScopeType.INHERIT,
      converter = Durations.Converter.class, description = "Deadline of each call (default 5s).")
  Duration deadline;

  @Option(names = "--retries", paramLabel = "N", scope = ScopeType.INHERIT, defaultValue = "" + DEFAULT_RETRIES,
      description = "Retries of a call failing with UNAVAILABLE (default ${DEFAULT-VALUE}).")
  int retries;

  final Sbctl io;
  private SecretsClient client;

  Root(Sbctl io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Sbctl.USAGE;
  }

  /** The client for this run, built on first use from the global options and the environment. */
  SecretsClient client() {
    if (client == null) {
      client = buildClient();
    }
    return client;
  }

  void closeClient() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  private SecretsClient buildClient() {
    SecretsClient.Builder b = SecretsClient.builder()
        .environment(io.env::get)
        .address(firstNonBlank(address, io.env.get(ADDRESS_ENV), SecretsClient.DEFAULT_ADDRESS))
        .maxRetries(retries);
    if (deadline != null) {
      b.deadline(deadline);
    }
    String resolved = resolveToken();
    if (resolved != null) {
      b.token(resolved);
    }
    if (cert != null || key != null) {
      if (cert == null || key == null || ca == null) {
        throw new CliException("mutual TLS needs --ca, --cert and --key together", Sbctl.USAGE);
      }
      b.mtls(resolve(ca), resolve(cert), resolve(key));
    } else if (ca != null) {
      b.tls(resolve(ca));
    } else {
      b.plaintext();
    }
    return b.build();
  }

  /** --token, then SECRETS_BROKER_TOKEN, then --token-file, then SECRETS_BROKER_TOKEN_FILE, then the dev file. */
  private String resolveToken() {
    String direct = firstNonBlank(token, io.env.get(TOKEN_ENV), null);
    if (direct != null) {
      return direct;
    }
    if (tokenFile != null) {
      return readToken(resolve(tokenFile), "--token-file");
    }
    String fromEnv = io.env.get(TOKEN_FILE_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return readToken(resolve(Path.of(fromEnv.strip())), TOKEN_FILE_ENV);
    }
    Path dev = io.workDir.resolve(DEFAULT_TOKEN_FILE);
    return Files.isRegularFile(dev) ? readToken(dev, "the default token file") : null;
  }

  private static String readToken(Path file, String source) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new CliException(
          "cannot read the token file " + file + " (" + source + "): " + Fmt.reason(e), Sbctl.USAGE);
    }
    if (text.isEmpty()) {
      throw new CliException("the token file " + file + " (" + source + ") is empty", Sbctl.USAGE);
    }
    return text;
  }

  /** {@code path} against the run's working directory. */
  Path resolve(Path path) {
    return io.workDir.resolve(path);
  }

  private static String firstNonBlank(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a.strip();
    }
    if (b != null && !b.isBlank()) {
      return b.strip();
    }
    return fallback;
  }

  /** Prints the version from the jar manifest. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Root.class.getPackage().getImplementationVersion();
      return new String[] {"sbctl " + (version == null ? "(development build)" : version)};
    }
  }
}
