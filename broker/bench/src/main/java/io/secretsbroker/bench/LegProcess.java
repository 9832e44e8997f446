package io.secretsbroker.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A leg's server in its own JVM. The child prints {@code PORT <n>} on stdout once it listens and stops when its
 * stdin closes — when {@link #close()} is called, or when the parent dies, since the pipe closes then too.
 */
final class LegProcess implements AutoCloseable {
  /** The JVM flags of every server, so the legs differ only in what the server does. */
  static final List<String> JVM_FLAGS = List.of("-Xmx1g");

  private static final String PORT_PREFIX = "PORT ";
  private static final long START_TIMEOUT_SECONDS = 60;
  private static final long STOP_GRACE_SECONDS = 20;

  private final Leg leg;
  private final Process process;
  private final Path log;
  private final Workspace workspace;
  private final int port;

  private LegProcess(Leg leg, Process process, Path log, Workspace workspace) throws IOException {
    this.leg = leg;
    this.process = process;
    this.log = log;
    this.workspace = workspace;
    this.port = awaitPort();
  }

  /**
   * Starts {@code mainClass} from this JVM's class path (the bench jar) in a child JVM.
   *
   * @param workDir the child's working folder; its stderr goes to {@code leg.log} there
   * @param jfrDir if present, the child records a flight recording {@code <leg>.jfr} there
   * @throws IOException if the child cannot start or does not report its port within a minute
   */
  static LegProcess start(Leg leg, Class<?> mainClass, List<String> args, Path workDir, Optional<Path> jfrDir,
      Workspace workspace) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    jfrDir.ifPresent(dir -> command.add("-XX:StartFlightRecording=filename="
        + dir.resolve(leg.id() + ".jfr").toAbsolutePath() + ",settings=profile,dumponexit=true"));
    command.add("-cp");
    command.add(absoluteClassPath());
    command.add(mainClass.getName());
    command.addAll(args);
    Path log = workDir.resolve("leg.log");
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectError(log.toFile()).start();
    workspace.track(process);
    try {
      return new LegProcess(leg, process, log, workspace);
    } catch (IOException | RuntimeException e) {
      stop(process, workspace);
      throw e;
    }
  }

  /** The loopback port the child listens on. */
  int port() {
    return port;
  }

  /** The last lines the child wrote to stderr, for error messages. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
          .map(l -> "  [" + leg.id() + "] " + l).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "  (no log: " + e.getMessage() + ")";
    }
  }

  /** Closes the child's stdin, waits for it to stop, and kills it if it does not. */
  @Override
  public void close() {
    stop(process, workspace);
  }

  private int awaitPort() throws IOException {
    CompletableFuture<Integer> reported = new CompletableFuture<>();
    Thread reader = new Thread(() -> readStdout(reported), "bench-" + leg.id() + "-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return reported.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      String why = e instanceof TimeoutException ? "did not report its port within " + START_TIMEOUT_SECONDS + " s"
          : e.getCause().getMessage();
      throw new IOException(leg.id() + " server " + why + ":\n" + logTail(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(leg.id() + " server start interrupted");
    }
  }

  private void readStdout(CompletableFuture<Integer> reported) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (!reported.isDone() && line.startsWith(PORT_PREFIX)) {
          reported.complete(Integer.parseInt(line.substring(PORT_PREFIX.length()).trim()));
        } else {
          System.err.println("  [" + leg.id() + "] " + line);
        }
      }
    } catch (IOException | NumberFormatException e) {
      reported.completeExceptionally(e);
    }
    reported.completeExceptionally(new IOException("exited before reporting its port"));
  }

  private static void stop(Process process, Workspace workspace) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      workspace.untrack(process);
    }
  }

  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(p -> Path.of(p).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /**
   * In the child: tells the parent the port, then blocks until the parent closes stdin (or dies).
   *
   * @throws IOException if stdin cannot be read
   */
  static void reportPortAndAwaitParent(int port) throws IOException {
    System.out.println(PORT_PREFIX + port);
    System.out.flush();
    while (System.in.read() != -1) {
      // the parent never writes; EOF is the signal to stop
    }
  }
}
