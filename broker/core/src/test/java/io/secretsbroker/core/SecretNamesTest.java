package io.secretsbroker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "trading/db-password", "A.b_c-d/e", "x/y/z/1.2.3", "..a", "a..", "_/-/."+"x"})
  void validNames_areAccepted(String name) {
    assertThatCode(() -> SecretNames.requireValidName("name", name)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a b|position 1",
      "a//b|empty segment",
      "/a|must not start with '/'",
      "a/|must not end with '/'",
      "a/../b|'..' segment",
      "./a|'.' segment",
      "a/é|U+00E9",
      "a\\b|'\\'",
      "a*b|'*'"})
  void invalidNames_areRejectedNamingTheRule(String name, String rule) {
    assertThatThrownBy(() -> SecretNames.requireValidName("name", name))
        .isInstanceOfSatisfying(BrokerException.class, e -> {
          assertThat(e.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("name: ").contains(rule);
        });
  }

  @org.junit.jupiter.api.Test
  void emptyAndOverlongNames_areRejected() {
    assertThatThrownBy(() -> SecretNames.requireValidName("name", "")).hasMessageContaining("must not be empty");
    assertThatCode(() -> SecretNames.requireValidName("name", "a".repeat(512))).doesNotThrowAnyException();
    assertThatThrownBy(() -> SecretNames.requireValidName("name", "a".repeat(513))).hasMessageContaining("512");
    // bytes, not characters
    assertThatThrownBy(() -> SecretNames.requireValidName("name", "a".repeat(511) + "é"))
        .isInstanceOf(BrokerException.class);
  }

  @org.junit.jupiter.api.Test
  void prefixes_mayBeEmptyOrEndWithSlash() {
    assertThatCode(() -> SecretNames.requireValidPrefix("prefix", "")).doesNotThrowAnyException();
    assertThatCode(() -> SecretNames.requireValidPrefix("prefix", "trading/")).doesNotThrowAnyException();
    assertThatCode(() -> SecretNames.requireValidPrefix("prefix", "trading/db")).doesNotThrowAnyException();
    assertThatThrownBy(() -> SecretNames.requireValidPrefix("prefix", "/")).hasMessageStartingWith("prefix: ");
    assertThatThrownBy(() -> SecretNames.requireValidPrefix("prefix", "a//")).hasMessageContaining("empty segment");
  }
}
