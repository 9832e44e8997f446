package io.secretsbroker.bench;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The figures of one run, rendered as plain text for the terminal or as a markdown section for the docs. */
final class Report {
  private static final String NONE = "–";

  /**
   * Where and how the run was made.
   *
   * @param date the day of the run
   * @param cores available processors
   * @param javaVersion {@code java.version}
   * @param serverJvmFlags the flags every server JVM got
   * @param concurrency outstanding calls
   * @param warmup unmeasured time per leg
   * @param duration measured time per leg
   * @param tls whether TLS was on
   * @param commandLine the command as typed
   * @param loadBefore the system's 1-minute load average before the first leg, negative if unknown
   * @param loadAfter the same after the last leg
   */
  record Machine(LocalDate date, int cores, String javaVersion, List<String> serverJvmFlags, int concurrency,
      Duration warmup, Duration duration, boolean tls, String commandLine, double loadBefore, double loadAfter) {}

  /**
   * Disk growth of a daemon leg's data folder.
   *
   * @param warmupBytes growth over the warmup
   * @param warmupOk OK reads in the warmup
   * @param measuredBytes growth over the measured period
   * @param measuredOk OK reads in the measured period
   * @param settled whether every size reading settled (stopped changing) before it was taken
   */
  record Disk(long warmupBytes, long warmupOk, long measuredBytes, long measuredOk, boolean settled) {
    /** Bytes per OK read in the measured period; empty if there were none. */
    OptionalDouble perRead() {
      return measuredOk == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) measuredBytes / measuredOk);
    }

    /** Bytes per OK read in the warmup; empty if there were none. */
    OptionalDouble warmupPerRead() {
      return warmupOk == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) warmupBytes / warmupOk);
    }
  }

  /**
   * What one leg measured.
   *
   * @param leg the leg
   * @param qps OK calls a second in the measured period
   * @param ok OK calls in the measured period
   * @param p50Nanos median latency
   * @param p99Nanos 99th percentile latency
   * @param p999Nanos 99.9th percentile latency
   * @param errors failed calls by status code name (measured period)
   * @param responseBytes the serialized size of one response
   * @param disk the data folder's growth, for daemon legs
   */
  record LegFigures(Leg leg, double qps, long ok, long p50Nanos, long p99Nanos, long p999Nanos,
      Map<String, Long> errors, int responseBytes, Optional<Disk> disk) {
    LegFigures {
      errors = Map.copyOf(errors);
    }

    /** All failed calls. */
    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A named ratio of two legs' figures.
   *
   * @param label what is divided by what
   * @param value empty when one of the legs was not run or the divisor is zero
   */
  record Ratio(String label, OptionalDouble value) {}

  private final Machine machine;
  private final List<LegFigures> legs;
  private final FsyncProbe.Result fsync;

  Report(Machine machine, List<LegFigures> legs, FsyncProbe.Result fsync) {
    this.machine = machine;
    this.legs = List.copyOf(legs);
    this.fsync = fsync;
  }

  /** The four ratios the benchmark exists for, in a fixed order. */
  List<Ratio> ratios() {
    return List.of(
        ratio("audit-on / echo QPS", Leg.AUDIT_ON, Leg.ECHO, LegFigures::qps),
        ratio("audit-on / audit-off QPS", Leg.AUDIT_ON, Leg.AUDIT_OFF, LegFigures::qps),
        ratio("audit-off / echo QPS", Leg.AUDIT_OFF, Leg.ECHO, LegFigures::qps),
        ratio("audit-on p99 / echo p99", Leg.AUDIT_ON, Leg.ECHO, f -> f.p99Nanos()));
  }

  private Ratio ratio(String label, Leg top, Leg bottom, ToDoubleFunction<LegFigures> figure) {
    Optional<LegFigures> a = find(top);
    Optional<LegFigures> b = find(bottom);
    if (a.isEmpty() || b.isEmpty() || figure.applyAsDouble(b.get()) == 0) {
      return new Ratio(label, OptionalDouble.empty());
    }
    return new Ratio(label, OptionalDouble.of(figure.applyAsDouble(a.get()) / figure.applyAsDouble(b.get())));
  }

  private Optional<LegFigures> find(Leg leg) {
    return legs.stream().filter(f -> f.leg() == leg).findFirst();
  }

  /** The report for the terminal. */
  String text() {
    StringBuilder out = new StringBuilder();
    out.append(header()).append("\n\n");
    String row = "%-10s %10s %8s %8s %8s %11s %7s %12s %11s%n";
    out.append(String.format(Locale.ROOT, row, "leg", "calls/s", "p50 ms", "p99 ms", "p999 ms", "OK calls",
        "errors", "disk B/read", "response B"));
    for (LegFigures f : legs) {
      out.append(String.format(Locale.ROOT, row, f.leg().id(), qps(f.qps()), ms(f.p50Nanos()), ms(f.p99Nanos()),
          ms(f.p999Nanos()), count(f.ok()), count(f.errorCount()), perRead(f), f.responseBytes()));
    }
    for (LegFigures f : legs) {
      if (f.errorCount() > 0) {
        out.append(String.format(Locale.ROOT, "errors in %s: %s%n", f.leg().id(), errorList(f)));
      }
    }
    out.append("\nratios:\n");
    for (Ratio r : ratios()) {
      out.append(String.format(Locale.ROOT, "  %-26s %s%n", r.label(), ratio(r.value())));
    }
    out.append('\n').append(diskLine()).append('\n');
    out.append(fsyncLine()).append('\n');
    out.append(loadLine()).append('\n');
    out.append("command: ").append(machine.commandLine()).append('\n');
    return out.toString();
  }

  /** The report as a markdown section (a level-3 heading, a table per leg and ratio, then notes). */
  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("### ").append(machine.date()).append(": ").append(machine.cores()).append(" cores, concurrency ")
        .append(machine.concurrency()).append(", ").append(machine.tls() ? "TLS" : "plaintext").append("\n\n");
    out.append(header()).append("\n\n");
    out.append("| leg | calls/s | p50 ms | p99 ms | p999 ms | OK calls | errors | disk B/read | response B |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LegFigures f : legs) {
      out.append("| ").append(f.leg().id()).append(" | ").append(qps(f.qps())).append(" | ")
          .append(ms(f.p50Nanos())).append(" | ").append(ms(f.p99Nanos())).append(" | ").append(ms(f.p999Nanos()))
          .append(" | ").append(count(f.ok())).append(" | ")
          .append(f.errorCount() == 0 ? "0" : errorList(f)).append(" | ").append(perRead(f)).append(" | ")
          .append(f.responseBytes()).append(" |\n");
    }
    out.append("\n| ratio | value |\n|---|---:|\n");
    for (Ratio r : ratios()) {
      out.append("| ").append(r.label()).append(" | ").append(ratio(r.value())).append(" |\n");
    }
    out.append("\n- ").append(diskLine()).append("\n- ").append(fsyncLine()).append("\n- ").append(loadLine())
        .append("\n- command: `")
        .append(machine.commandLine()).append("`\n");
    return out.toString();
  }

  private String header() {
    return String.format(Locale.ROOT, "cached GetSecret, %d calls outstanding on one HTTP/2 connection (%s); "
        + "%d cores, Java %s, server JVMs %s; warmup %s, measured %s per leg", machine.concurrency(),
        machine.tls() ? "TLS" : "plaintext", machine.cores(), machine.javaVersion(),
        String.join(" ", machine.serverJvmFlags()), seconds(machine.warmup()), seconds(machine.duration()));
  }

  private String diskLine() {
    Optional<Disk> disk = find(Leg.AUDIT_ON).flatMap(LegFigures::disk);
    if (disk.isEmpty()) {
      return "bytes of disk per audited read: " + NONE + " (audit-on not run)";
    }
    Disk d = disk.get();
    return String.format(Locale.ROOT, "bytes of disk per audited read: %s (whole data dir, measured period: %s B"
        + " / %s OK reads; warmup alone: %s)%s", bytes(d.perRead()), count(d.measuredBytes()), count(d.measuredOk()),
        bytes(d.warmupPerRead()), d.settled() ? "" : " — sizes were still changing after "
        + seconds(DiskUsage.MAX_WAIT) + ", figure is approximate");
  }

  private String fsyncLine() {
    return String.format(Locale.ROOT, "fsync (%d × write %d B + force(false), scratch folder's file system): "
        + "median %s µs, p99 %s µs", FsyncProbe.ITERATIONS, FsyncProbe.WRITE_BYTES,
        count(fsync.medianNanos() / 1_000), count(fsync.p99Nanos() / 1_000));
  }

  private String loadLine() {
    return String.format(Locale.ROOT, "load average (1 min, whole machine, this run's own processes included): %s"
        + " before the first leg, %s after the last", load(machine.loadBefore()), load(machine.loadAfter()));
  }

  private static String load(double value) {
    return value < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", value);
  }

  private static String errorList(LegFigures f) {
    return f.errors().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " " + count(e.getValue())).collect(Collectors.joining(", "));
  }

  private static String perRead(LegFigures f) {
    return f.disk().map(d -> bytes(d.perRead())).orElse(NONE);
  }

  /** Nanoseconds as milliseconds with two decimals: {@code 1234567} is {@code "1.23"}. */
  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  /** Calls a second, rounded, with thousands separators: {@code "12,346"}. */
  static String qps(double qps) {
    return String.format(Locale.ROOT, "%,.0f", qps);
  }

  /** A ratio with two decimals, or a dash when it could not be computed. */
  static String ratio(OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%.2f", value.getAsDouble()) : NONE;
  }

  private static String bytes(OptionalDouble value) {
    return value.isPresent() ? String.format(Locale.ROOT, "%,.1f", value.getAsDouble()) : NONE;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
