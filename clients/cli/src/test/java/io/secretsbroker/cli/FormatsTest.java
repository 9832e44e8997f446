package io.secretsbroker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.proto.v1.Generator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FormatsTest {
  @ParameterizedTest
  @CsvSource({"720h, PT720H", "7d, PT168H", "1h30m, PT1H30M", "90s, PT1M30S", "500ms, PT0.5S", "0, PT0S",
      "2d3h4m5s, PT51H4M5S"})
  void durations_parse(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "7", "7 d", "7days", "-1h", "1.5h", "h", "1h-", "99999999999999999999d"})
  void durations_rejectOtherText(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }

  @Test
  void durations_format() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s");
    assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1ms");
    assertThat(Durations.format(Duration.ofDays(90))).isEqualTo("90d");
    assertThat(Durations.format(Duration.ofSeconds(93784))).isEqualTo("1d2h3m4s");
  }

  @Test
  void times_areInstantsOrDurationsAgo() {
    Instant now = Instant.parse("2026-02-01T00:00:00Z");
    assertThat(Durations.parseTime("24h", now)).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(Durations.parseTime("2026-01-02T03:04:05Z", now)).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThatThrownBy(() -> Durations.parseTime("yesterday", now)).hasMessageContaining("invalid time");
  }

  @Test
  void json_escapesStrings_andWritesNestedValues() {
    Map<String, Object> o = Json.object();
    o.put("s", "a\"b\\c\nd\u0001\u2028");
    o.put("n", 3);
    o.put("b", false);
    o.put("nil", null);
    o.put("list", List.of("x", 1));
    o.put("at", Instant.EPOCH);
    o.put("obj", Map.of("k", "v"));

    assertThat(Json.write(o)).isEqualTo("{\"s\":\"a\\\"b\\\\c\\nd\\u0001\\u2028\",\"n\":3,\"b\":false,\"nil\":null,"
        + "\"list\":[\"x\",1],\"at\":\"1970-01-01T00:00:00Z\",\"obj\":{\"k\":\"v\"}}");
  }

  @Test
  void table_alignsColumns_andNeutralisesControlCharacters() {
    String text = new Table("NAME", "VALUE").row("a", "1").row("longer", "x\ny").toString();

    assertThat(text).isEqualTo("NAME    VALUE\na       1\nlonger  x?y\n");
  }

  @Test
  void generator_parsesTheThreeKinds() {
    assertThat(RotationCommands.generator("password:32", List.of("upper", "symbols"))).isEqualTo(
        Generator.newBuilder().setKind(Generator.Kind.KIND_PASSWORD).setLength(32)
            .addCharacterClasses("upper").addCharacterClasses("symbols").build());
    assertThat(RotationCommands.generator("password", List.of()).getLength()).isZero();
    assertThat(RotationCommands.generator("random-bytes:64", List.of())).isEqualTo(
        Generator.newBuilder().setKind(Generator.Kind.KIND_RANDOM_BYTES).setLength(64).build());
    assertThat(RotationCommands.generator("external", List.of()).getKind()).isEqualTo(Generator.Kind.KIND_EXTERNAL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pasword:32", "password:0", "password:-1", "external:3", "random-bytes:x", "password:1234567"})
  void generator_rejectsOtherText(String text) {
    assertThatThrownBy(() -> RotationCommands.generator(text, List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void generator_rejectsUnknownClasses_andClassesOnOtherKinds() {
    assertThatThrownBy(() -> RotationCommands.generator("password:8", List.of("emoji")))
        .hasMessageContaining("unknown character class");
    assertThatThrownBy(() -> RotationCommands.generator("random-bytes:8", List.of("lower")))
        .hasMessageContaining("only to the password generator");
  }
}
