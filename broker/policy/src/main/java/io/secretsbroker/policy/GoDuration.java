package io.secretsbroker.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Vault's duration syntax for {@code min_wrapping_ttl} and {@code max_wrapping_ttl}
 * ({@code parseutil.ParseDurationSecond}): an integer is seconds, {@code <integer>d} is days, and
 * anything else is Go's {@code time.ParseDuration} syntax ({@code 1h30m}, {@code 1.5h},
 * {@code 300ms}; units {@code ns us µs ms s m h}).
 */
final class GoDuration {
  private static final Map<String, Long> UNIT_NANOS = Map.of(
      "ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L,
      "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDuration() {}

  /** Parses a string value; empty means zero. Returns empty when Vault would reject it. */
  static Optional<Duration> parseString(String s) {
    if (s.isEmpty()) {
      return Optional.of(Duration.ZERO);
    }
    Optional<Long> seconds = integer(s);
    if (seconds.isPresent()) {
      return seconds.map(Duration::ofSeconds);
    }
    if (s.endsWith("d")) {
      return integer(s.substring(0, s.length() - 1)).flatMap(days -> {
        try {
          return Optional.of(Duration.ofDays(days));
        } catch (ArithmeticException e) {
          return Optional.empty();
        }
      });
    }
    return goDuration(s);
  }

  /** Go's {@code strconv.ParseInt(s, 10, 64)}: optional sign, decimal digits, no overflow. */
  private static Optional<Long> integer(String s) {
    String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(s.startsWith("+") ? digits : s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Go's {@code time.ParseDuration}, limited as Go limits it to about 292 years. */
  private static Optional<Duration> goDuration(String s) {
    int i = 0;
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    if (i == s.length()) {
      return Optional.empty();
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 0x80 || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        return Optional.empty();
      }
      int unitStart = i;
      while (i < s.length() && !(Character.isDigit(s.charAt(i)) && s.charAt(i) < 0x80) && s.charAt(i) != '.') {
        i++;
      }
      Long nanos = UNIT_NANOS.get(s.substring(unitStart, i));
      if (nanos == null) {
        return Optional.empty();
      }
      total = total.add(new BigDecimal(number.startsWith(".") ? "0" + number : number).multiply(BigDecimal.valueOf(nanos)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return Optional.empty();
    }
    long nanos = total.longValue();
    return Optional.of(Duration.ofNanos(negative ? -nanos : nanos));
  }
}
