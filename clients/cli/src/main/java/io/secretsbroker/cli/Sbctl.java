package io.secretsbroker.cli;

import io.secretsbroker.client.SecretsBrokerException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Runs {@code sbctl} with an injected environment, working directory and streams, so that it can run in-process.
 * Not thread-safe; one instance runs one command at a time.
 *
 * <pre>{@code
 * int exit = new Sbctl(System.getenv(), System.in, System.out, System.err).run("get", "app/db-password");
 * }</pre>
 */
public final class Sbctl {
  /** Success. */
  public static final int OK = 0;
  /** The broker refused or failed the call, a local file could not be read, or a check failed. */
  public static final int FAILED = 1;
  /** The command line was wrong. */
  public static final int USAGE = 2;

  final Map<String, String> env;
  final Path workDir;
  final InputStream in;
  final PrintStream out;
  final PrintStream err;
  final Clock clock;
  final PolicyChecker policyChecker;

  /** A runner reading defaults from {@code env} and the token file from the process's working directory. */
  public Sbctl(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    this(env, Path.of(""), in, out, err, Clock.systemUTC(), new HclPolicyChecker());
  }

  Sbctl(Map<String, String> env, Path workDir, InputStream in, PrintStream out, PrintStream err, Clock clock,
      PolicyChecker policyChecker) {
    this.env = Map.copyOf(env);
    this.workDir = Objects.requireNonNull(workDir);
    this.in = Objects.requireNonNull(in);
    this.out = Objects.requireNonNull(out);
    this.err = Objects.requireNonNull(err);
    this.clock = Objects.requireNonNull(clock);
    this.policyChecker = Objects.requireNonNull(policyChecker);
  }

  /** Runs {@code sbctl} as a process: the exit code becomes the process's. */
  public static void main(String[] args) {
    int code = new Sbctl(System.getenv(), System.in, System.out, System.err).run(args);
    System.out.flush();
    System.exit(code);
  }

  /**
   * Parses {@code args} and runs the command.
   *
   * @return {@link #OK}, {@link #FAILED} or {@link #USAGE}
   */
  public int run(String... args) {
    Root root = new Root(this);
    CommandLine cl = new CommandLine(root);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    cl.setOut(outWriter);
    cl.setErr(errWriter);
    cl.setParameterExceptionHandler(Sbctl::usageError);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine));
    try {
      return cl.execute(args);
    } finally {
      root.closeClient();
      outWriter.flush();
      errWriter.flush();
      out.flush();
      err.flush();
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("error: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.print(cl.getHelp().fullSynopsis());
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return USAGE;
  }

  private static int failure(Exception e, CommandLine cl) {
    PrintWriter err = cl.getErr();
    int code = FAILED;
    if (e instanceof SecretsBrokerException broker) {
      err.println("error: " + broker.code() + ": " + broker.serverMessage());
    } else if (e instanceof CliException cli) {
      err.println("error: " + cli.getMessage());
      code = cli.exitCode();
    } else if (e instanceof IllegalArgumentException bad) {
      err.println("error: " + bad.getMessage());
      code = USAGE;
    } else {
      err.println("error: unexpected " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    err.flush();
    return code;
  }
}
