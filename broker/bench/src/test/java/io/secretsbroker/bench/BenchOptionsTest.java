package io.secretsbroker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchOptionsTest {

  @Test
  void noArguments_giveTheDocumentedDefaults() {
    BenchOptions o = BenchOptions.parse();

    assertThat(o.concurrency()).isEqualTo(64);
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.tls()).isFalse();
    assertThat(o.legs()).containsExactly(Leg.AUDIT_ON, Leg.AUDIT_OFF, Leg.ECHO);
    assertThat(o.jfrDir()).isEmpty();
    assertThat(o.markdownFile()).isEmpty();
  }

  @Test
  void everyOption_isRead_inBothSpellings() {
    BenchOptions o = BenchOptions.parse("--concurrency", "8", "--warmup=500ms", "--duration", "2m", "--tls",
        "--legs", "echo,audit-on", "--jfr", "jfr-out", "--markdown=run.md");

    assertThat(o.concurrency()).isEqualTo(8);
    assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.tls()).isTrue();
    assertThat(o.legs()).containsExactly(Leg.ECHO, Leg.AUDIT_ON);
    assertThat(o.jfrDir()).contains(Path.of("jfr-out"));
    assertThat(o.markdownFile()).contains(Path.of("run.md"));
  }

  @ParameterizedTest
  @CsvSource({"500ms, 500", "10s, 10000", "2m, 120000", "0s, 0"})
  void durations_withAUnit_areParsed(String text, long millis) {
    assertThat(BenchOptions.parseDuration("--warmup", text, true)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10    | --duration: '10' is not a duration (write e.g. 500ms, 10s, 2m)",
      "10x   | --duration: '10x' is not a duration (write e.g. 500ms, 10s, 2m)",
      "-1s   | --duration: '-1s' is not a duration (write e.g. 500ms, 10s, 2m)",
      "1.5s  | --duration: '1.5s' is not a duration (write e.g. 500ms, 10s, 2m)",
      "0ms   | --duration: must be longer than zero",
      "61m   | --duration: 61m is longer than the maximum of 1h"})
  void badDurations_failWithAMessageNamingTheOption(String text, String message) {
    assertThatThrownBy(() -> BenchOptions.parse("--duration", text))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void zeroWarmup_isAllowed() {
    assertThat(BenchOptions.parse("--warmup", "0s").warmup()).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--concurrency,many    | --concurrency: 'many' is not a whole number",
      "--concurrency,0       | --concurrency: 0 is out of range 1..10000",
      "--legs,audit-on,fast  | --legs: unknown leg 'fast' (known: audit-on,audit-off,echo)",
      "--legs,echo,echo      | --legs: 'echo' is given twice",
      "--legs,               | --legs: unknown leg '' (known: audit-on,audit-off,echo)",
      "--warmup              | --warmup: a value is required",
      "--tls=yes             | --tls takes no value",
      "--threads,16          | unknown argument '--threads'",
      "extra                 | unknown argument 'extra'"})
  void badArguments_failWithAClearMessage(String joined, String message) {
    List<String> args = splitFirstComma(joined);
    assertThatThrownBy(() -> BenchOptions.parse(args.toArray(String[]::new)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  /** "--legs,a,b" is the option "--legs" with the value "a,b". */
  private static List<String> splitFirstComma(String joined) {
    int comma = joined.indexOf(',');
    return comma < 0 ? List.of(joined) : List.of(joined.substring(0, comma), joined.substring(comma + 1));
  }
}
