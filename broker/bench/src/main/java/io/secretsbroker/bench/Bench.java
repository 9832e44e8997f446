package io.secretsbroker.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./bench}: runs the benchmarks and prints calls a second. Arguments: {@code --threads N} (default 16),
 * {@code --quick} (shorter iterations).
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    int threads = 16;
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--quick" -> quick = true;
        default -> {
          System.err.println("usage: bench [--threads N] [--quick]");
          System.exit(2);
        }
      }
    }
    ChainedOptionsBuilder opts = new OptionsBuilder()
        .include(GetSecretBenchmark.class.getSimpleName())
        .forks(1)
        .threads(threads)
        .warmupIterations(quick ? 1 : 2)
        .warmupTime(TimeValue.seconds(quick ? 2 : 5))
        .measurementIterations(quick ? 2 : 3)
        .measurementTime(TimeValue.seconds(quick ? 3 : 8))
        .jvmArgsAppend("-Xmx1g");
    Collection<RunResult> results = new Runner(opts.build()).run();
    System.out.println();
    System.out.printf("%-22s %-6s %14s %12s%n", "benchmark", "audit", "calls/s", "± (99.9%)");
    for (RunResult r : results) {
      var p = r.getParams();
      var s = r.getPrimaryResult();
      System.out.printf("%-22s %-6s %,14.0f %,12.0f%n", p.getBenchmark().replaceAll(".*\\.", ""),
          p.getParam("audit"), s.getScore(), s.getScoreError());
    }
    System.out.println("threads: " + threads + ", cores: " + Runtime.getRuntime().availableProcessors());
  }
}
