package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class S3LocationTest {
  @Test
  void parse_splitsBucketAndPrefix() {
    assertThat(S3Location.parse("s3://audit-bucket/team/audit/")).isEqualTo(new S3Location("audit-bucket",
        "team/audit"));
    assertThat(S3Location.parse("s3://audit-bucket")).isEqualTo(new S3Location("audit-bucket", ""));
    assertThat(S3Location.parse("s3://b.example-1/p").toString()).isEqualTo("s3://b.example-1/p");
  }

  @Test
  void folders_areUnderThePrefix() {
    assertThat(new S3Location("bkt", "a/b").folder("r1", "segments")).isEqualTo("a/b/r1/segments/");
    assertThat(new S3Location("bkt", "").folder("r1", "checkpoints")).isEqualTo("r1/checkpoints/");
    assertThatThrownBy(() -> new S3Location("bkt", "").folder("..", "segments"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tmp/archive", "s3://", "s3://Upper/x", "s3://ab", "s3://bucket//x", "s3://bucket/a b",
      "s3://user:pw@bucket/x"})
  void parse_refusesWhatIsNotABucketAndPrefix(String location) {
    assertThatThrownBy(() -> S3Location.parse(location)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected");
  }
}
