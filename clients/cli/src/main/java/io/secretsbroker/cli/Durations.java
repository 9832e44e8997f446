package io.secretsbroker.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses durations like {@code 720h}, {@code 7d}, {@code 1h30m}, {@code 90s}, {@code 500ms}, and prints them. */
final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|[dhms]))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|[dhms])");

  private Durations() {}

  /**
   * Parses a sequence of {@code <number><unit>} with units d, h, m, s, ms ({@code 0} alone is zero).
   *
   * @throws IllegalArgumentException naming the text when it does not parse
   */
  static Duration parse(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\": use e.g. 30s, 15m, 24h, 7d or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "d" -> Duration.ofDays(n);
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMillis(n);
        });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration \"" + text + "\" is too large");
    }
    return total;
  }

  /** A point in time: an RFC 3339 instant ({@code 2026-01-02T03:04:05Z}) or a duration before {@code now}. */
  static Instant parseTime(String text, Instant now) {
    try {
      return Instant.parse(text.strip());
    } catch (DateTimeParseException notAnInstant) {
      try {
        return now.minus(parse(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid time \"" + text + "\": use a duration ago (e.g. 24h, 7d) or an instant like 2026-01-02T03:04:05Z");
      }
    }
  }

  /** {@code 1d2h3m4s}-style text, {@code 0s} for zero; milliseconds when under a second. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder sb = new StringBuilder();
    if (d.toDaysPart() > 0) {
      sb.append(d.toDaysPart()).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    return sb.toString();
  }

  /** The picocli converter for duration options. */
  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
