package io.secretsbroker.backend.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AwsNamesTest {
  private final AwsNames plain = new AwsNames("");
  private final AwsNames prefixed = new AwsNames("prod/payments/");

  @ParameterizedTest
  @ValueSource(strings = {"db", "team.a/svc_1/db-pass.word", "A/B/c", "x.y-z_0"})
  void brokerNames_mapToTheSameAwsName_andBack(String name) {
    assertThat(plain.toAws(name)).isEqualTo(name);
    assertThat(plain.fromAws(name)).contains(name);
    assertThat(prefixed.toAws(name)).isEqualTo("prod/payments/" + name);
    assertThat(prefixed.fromAws("prod/payments/" + name)).contains(name);
  }

  @Test
  void nameAtTheAwsLimit_maps_andOneMoreCharacterIsInvalidArgument() {
    String fits = "a".repeat(512 - "prod/payments/".length());
    assertThat(prefixed.toAws(fits)).hasSize(512);

    assertThatThrownBy(() -> prefixed.toAws(fits + "a"))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("513 characters, the limit is 512");
  }

  @ParameterizedTest
  @ValueSource(strings = {"other/db", "prod/payments", "prod/payments/", "prod/payments/a+b", "prod/payments/a=b",
      "prod/payments/user@host", "prod/payments/a//b", "prod/payments/a/../b", "prod/payments/trailing/",
      "Prod/payments/db"})
  void awsNamesOutsideThePrefixOrNotBrokerNames_areNotVisible(String awsName) {
    assertThat(prefixed.fromAws(awsName)).isEmpty();
  }

  @Test
  void listFilter_isThePrefixedPrefix_orNoneForTheRoot() {
    assertThat(prefixed.listFilter("team/")).contains("prod/payments/team/");
    assertThat(prefixed.listFilter("")).contains("prod/payments/");
    assertThat(plain.listFilter("")).isEmpty();
    assertThat(plain.listFilter("!negated")).as("AWS reads a leading ! as negation").isEmpty();
  }

  @Test
  void pageToken_resumesAfterTheLastName() {
    String token = AwsNames.pageToken("team/b");
    assertThat(token).doesNotContain("team/b");
    assertThat(AwsNames.resumeAfter(token, "team/")).isEqualTo("team/b");
    assertThat(AwsNames.resumeAfter("", "team/")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage!!", "dGVhbS9i", "YWZ0ZXI6", "YWZ0ZXI6b3RoZXIvYg"})
  void pageToken_notIssuedForThisPrefix_isInvalidArgument(String token) {
    // dGVhbS9i = "team/b" without the mark; YWZ0ZXI6 = "after:"; YWZ0ZXI6b3RoZXIvYg = "after:other/b"
    assertThatThrownBy(() -> AwsNames.resumeAfter(token, "team/"))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }
}
