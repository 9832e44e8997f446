package io.secretsbroker.bench;

import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.GetSecretResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * {@code ./bench}: measures cached {@code GetSecret} against the daemon with audit on, with audit off, and against
 * a bare gRPC echo server, each in its own JVM, and prints throughput, latency percentiles and their ratios.
 * Run with {@code --help} for the options.
 */
public final class Bench {
  private final BenchOptions options;
  private final Workspace workspace;
  private final Optional<SelfSignedCert> cert;

  private Bench(BenchOptions options, Workspace workspace, Optional<SelfSignedCert> cert) {
    this.options = options;
    this.workspace = workspace;
    this.cert = cert;
  }

  /**
   * Parses the arguments, runs the legs one after the other and prints the report. Exit status: 0 when every call
   * succeeded, 1 when a leg failed or had errors, 2 on bad arguments.
   */
  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(BenchOptions.USAGE);
      return;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    int status;
    try (Workspace workspace = Workspace.create()) {
      Optional<SelfSignedCert> cert = options.tls()
          ? Optional.of(SelfSignedCert.create(workspace.dir("tls"))) : Optional.empty();
      status = new Bench(options, workspace, cert).run(commandLine(args));
    } catch (IOException | StatusRuntimeException e) {
      System.err.println("bench: " + e.getMessage());
      status = 1;
    }
    System.exit(status);
  }

  private int run(String commandLine) throws Exception {
    if (options.jfrDir().isPresent()) {
      Files.createDirectories(options.jfrDir().get());
    }
    double loadBefore = loadAverage();
    progress("fsync probe (" + FsyncProbe.ITERATIONS + " × write + force) in the scratch folder");
    FsyncProbe.Result fsync = FsyncProbe.run(workspace.root());
    List<Report.LegFigures> figures = new ArrayList<>();
    for (Leg leg : options.legs()) {
      figures.add(runLeg(leg));
    }
    Report.Machine machine = new Report.Machine(LocalDate.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), LegProcess.JVM_FLAGS, options.concurrency(), options.warmup(),
        options.duration(), options.tls(), commandLine, loadBefore, loadAverage());
    Report report = new Report(machine, figures, fsync);
    System.out.println();
    System.out.print(report.text());
    if (options.markdownFile().isPresent()) {
      Files.writeString(options.markdownFile().get(), report.markdown(), StandardCharsets.UTF_8);
      progress("markdown written to " + options.markdownFile().get());
    }
    return figures.stream().anyMatch(f -> f.errorCount() > 0) ? 1 : 0;
  }

  private Report.LegFigures runLeg(Leg leg) throws Exception {
    Path legDir = workspace.dir(leg.id());
    progress(leg.id() + ": starting its server JVM");
    try (LegProcess server = leg.isDaemon()
        ? DaemonLauncher.start(leg, legDir, cert, options.jfrDir(), workspace)
        : EchoServer.start(legDir, cert, options.jfrDir(), workspace)) {
      Optional<String> token = leg.isDaemon() ? Optional.of(DaemonLauncher.rootToken(legDir)) : Optional.empty();
      try (LoadClient client = new LoadClient(server.port(), cert, token, options.concurrency())) {
        if (leg.isDaemon()) {
          client.putSecret();
        }
        GetSecretResponse first = client.readOnce();
        Path data = DaemonLauncher.dataDir(legDir);
        DiskUsage.Reading beforeWarmup = leg.isDaemon() ? DiskUsage.settle(data) : null;
        progress(leg.id() + ": warmup " + options.warmup().toMillis() + " ms, concurrency " + options.concurrency());
        LoadClient.PhaseResult warmup = client.run(options.warmup());
        DiskUsage.Reading beforeMeasure = leg.isDaemon() ? DiskUsage.settle(data) : null;
        progress(leg.id() + ": measuring " + options.duration().toMillis() + " ms");
        LoadClient.PhaseResult measured = client.run(options.duration());
        DiskUsage.Reading after = leg.isDaemon() ? DiskUsage.settle(data) : null;
        Optional<Report.Disk> disk = leg.isDaemon()
            ? Optional.of(new Report.Disk(beforeMeasure.bytes() - beforeWarmup.bytes(), warmup.ok(),
                after.bytes() - beforeMeasure.bytes(), measured.ok(),
                beforeWarmup.settled() && beforeMeasure.settled() && after.settled()))
            : Optional.empty();
        if (measured.errorCount() > 0 || warmup.errorCount() > 0) {
          progress(leg.id() + ": calls failed (warmup " + warmup.errors() + ", measured " + measured.errors()
              + "); the server's last log lines:\n" + server.logTail(20));
        }
        Histogram h = measured.latencies();
        Map<String, Long> errors = new TreeMap<>();
        measured.errors().forEach((code, n) -> errors.put(code.name(), n));
        return new Report.LegFigures(leg, measured.qps(), measured.ok(), h.getValueAtPercentile(50),
            h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), errors, first.getSerializedSize(), disk);
      }
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String commandLine(String[] args) {
    return ("./bench " + String.join(" ", args)).trim();
  }

  private static void progress(String message) {
    System.err.println("bench: " + message);
  }
}
