package io.secretsbroker.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretTest {
  private final Secret secret = Secret.of("app/db", "hunter2".getBytes(UTF_8), "7", Set.of(Stage.CURRENT),
      Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(5));

  @Test
  void toString_showsMetadataButNeverTheValue() {
    assertThat(secret.toString())
        .doesNotContain("hunter2")
        .contains("app/db", "version=7", "CURRENT", "[REDACTED]");
  }

  @Test
  void value_isACopy() {
    byte[] value = secret.value();
    value[0] = 'X';

    assertThat(secret.valueAsString()).isEqualTo("hunter2");
  }

  @Test
  void of_copiesTheCallersArray() {
    byte[] mine = "abc".getBytes(UTF_8);
    Secret s = Secret.of("n", mine, "1", Set.of(), Instant.EPOCH, Duration.ZERO);
    mine[0] = 'z';

    assertThat(s.valueAsString()).isEqualTo("abc");
    assertThat(s.stages()).isEmpty();
  }

  @Test
  void exceptionMessage_isCodeAndServerMessage() {
    SecretsBrokerException e = new SecretNotFoundException("secret \"x\" not found");

    assertThat(e).hasMessage("NOT_FOUND: secret \"x\" not found");
    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(ErrorCode.fromName("NOPE")).isEqualTo(ErrorCode.UNKNOWN);
  }
}
