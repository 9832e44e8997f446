package io.secretsbroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code ./bench}, parsed and checked.
 *
 * @param concurrency how many calls are outstanding at every moment
 * @param warmup how long each leg runs before it is measured (may be zero)
 * @param duration how long each leg is measured
 * @param tls whether servers and client speak TLS (a self-signed certificate made for the run)
 * @param legs the legs to run, in order
 * @param jfrDir where each server JVM writes its flight recording, if given
 * @param markdownFile where the markdown section goes, if given
 */
record BenchOptions(int concurrency, Duration warmup, Duration duration, boolean tls, List<Leg> legs,
    Optional<Path> jfrDir, Optional<Path> markdownFile) {

  static final int DEFAULT_CONCURRENCY = 64;
  static final int MAX_CONCURRENCY = 10_000;
  static final Duration DEFAULT_WARMUP = Duration.ofSeconds(10);
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);
  static final Duration MAX_PERIOD = Duration.ofHours(1);

  static final String USAGE = """
      usage: bench [--concurrency 64] [--warmup 10s] [--duration 20s] [--tls]
                   [--legs audit-on,audit-off,echo] [--jfr DIR] [--markdown FILE]
        durations: 500ms, 10s, 2m""";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  BenchOptions {
    legs = List.copyOf(legs);
  }

  /**
   * Parses the arguments; {@code --name value} and {@code --name=value} both work.
   *
   * @throws IllegalArgumentException naming the option and the bad value
   */
  static BenchOptions parse(String... args) {
    int concurrency = DEFAULT_CONCURRENCY;
    Duration warmup = DEFAULT_WARMUP;
    Duration duration = DEFAULT_DURATION;
    boolean tls = false;
    List<Leg> legs = List.of(Leg.values());
    Optional<Path> jfr = Optional.empty();
    Optional<Path> markdown = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      if (name.equals("--tls")) {
        if (inline != null) {
          throw new IllegalArgumentException("--tls takes no value");
        }
        tls = true;
        continue;
      }
      String value;
      if (inline != null) {
        value = inline;
      } else if (i + 1 < args.length && isOption(name)) {
        value = args[++i];
      } else {
        value = null;
      }
      switch (name) {
        case "--concurrency" -> concurrency = parseConcurrency(required(name, value));
        case "--warmup" -> warmup = parseDuration(name, required(name, value), true);
        case "--duration" -> duration = parseDuration(name, required(name, value), false);
        case "--legs" -> legs = parseLegs(required(name, value));
        case "--jfr" -> jfr = Optional.of(Path.of(nonBlank(name, required(name, value))));
        case "--markdown" -> markdown = Optional.of(Path.of(nonBlank(name, required(name, value))));
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    return new BenchOptions(concurrency, warmup, duration, tls, legs, jfr, markdown);
  }

  private static boolean isOption(String name) {
    return List.of("--concurrency", "--warmup", "--duration", "--legs", "--jfr", "--markdown").contains(name);
  }

  private static String required(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException(name + ": a value is required");
    }
    return value;
  }

  private static String nonBlank(String name, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": must not be empty");
    }
    return value;
  }

  private static int parseConcurrency(String text) {
    int n;
    try {
      n = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--concurrency: '" + text + "' is not a whole number");
    }
    if (n < 1 || n > MAX_CONCURRENCY) {
      throw new IllegalArgumentException("--concurrency: " + n + " is out of range 1.." + MAX_CONCURRENCY);
    }
    return n;
  }

  /**
   * Parses a duration such as {@code 500ms}, {@code 10s} or {@code 2m}.
   *
   * @param option the option's name, for the error message
   * @param zeroAllowed whether {@code 0s} is accepted
   * @throws IllegalArgumentException when the text is not such a duration, is zero (unless allowed) or exceeds
   *     {@link #MAX_PERIOD}
   */
  static Duration parseDuration(String option, String text, boolean zeroAllowed) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not a duration (write e.g. 500ms, 10s, 2m)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
    if (d.isZero() && !zeroAllowed) {
      throw new IllegalArgumentException(option + ": must be longer than zero");
    }
    if (d.compareTo(MAX_PERIOD) > 0) {
      throw new IllegalArgumentException(option + ": " + text + " is longer than the maximum of 1h");
    }
    return d;
  }

  private static List<Leg> parseLegs(String text) {
    List<Leg> legs = new ArrayList<>();
    for (String id : text.split(",", -1)) {
      Leg leg;
      try {
        leg = Leg.byId(id.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--legs: " + e.getMessage());
      }
      if (legs.contains(leg)) {
        throw new IllegalArgumentException("--legs: '" + leg.id() + "' is given twice");
      }
      legs.add(leg);
    }
    return legs;
  }
}
