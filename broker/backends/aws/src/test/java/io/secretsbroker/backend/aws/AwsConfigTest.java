package io.secretsbroker.backend.aws;

import static io.secretsbroker.backend.aws.AwsTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AwsConfigTest {

  @Test
  void onlyRegion_givesTheDocumentedDefaults() {
    AwsConfig config = AwsConfig.from(settings());

    assertThat(config.region()).isEqualTo("us-east-1");
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxValueBytes()).isEqualTo(65_536);
    assertThat(config.namePrefix()).isEmpty();
    assertThat(config.kmsKeyId()).isEmpty();
  }

  @Test
  void everyKey_isRead() {
    AwsConfig config = AwsConfig.from(settings("endpoint", "http://127.0.0.1:4566", "timeout", "5s",
        "max-value-bytes", 4096, "name-prefix", "prod/payments/", "kms-key-id", "alias/broker"));

    assertThat(config.endpoint()).contains(URI.create("http://127.0.0.1:4566"));
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxValueBytes()).isEqualTo(4096);
    assertThat(config.namePrefix()).isEqualTo("prod/payments/");
    assertThat(config.kmsKeyId()).isEqualTo(Optional.of("alias/broker"));
  }

  @Test
  void missingRegion_namesTheKeyPath() {
    assertThatThrownBy(() -> AwsConfig.from(new Settings("mounts[0].backend", Map.of("type", "aws"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mounts[0].backend.region: required");
  }

  @Test
  void unknownKey_namesTheKeyPathAndTheKnownKeys() {
    assertThatThrownBy(() -> AwsConfig.from(settings("secret-access-key", "AKIA...")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.secret-access-key: unknown key")
        .hasMessageContaining("name-prefix");
  }

  @ParameterizedTest
  @ValueSource(strings = {"US-EAST-1", "useast1", "us-east", "mars"})
  void malformedRegion_isRejected(String region) {
    assertThatThrownBy(() -> AwsConfig.from(settings("region", region)))
        .hasMessageStartingWith("mounts[0].backend.region: expected an AWS region");
  }

  @ParameterizedTest
  @ValueSource(strings = {"eu-central-2", "us-gov-west-1", "ap-southeast-5", "cn-north-1"})
  void realRegions_areAccepted(String region) {
    assertThat(AwsConfig.from(settings("region", region)).region()).isEqualTo(region);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ftp://127.0.0.1:21           | expected an http(s) URL with a host",
      "127.0.0.1:4566               | expected a",
      "http://secretsmanager.example.com | plain http is only allowed to a loopback host",
      "https://host/path            | expected scheme, host and port only",
      "https://host/?x=1            | expected scheme, host and port only",
      "'http://a b'                 | expected a URL",
  })
  void badEndpoint_namesTheKeyPathAndTheRule(String endpoint, String rule) {
    assertThatThrownBy(() -> AwsConfig.from(settings("endpoint", endpoint)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.endpoint: ")
        .hasMessageContaining(rule);
  }

  @Test
  void endpointWithCredentials_isRejectedWithoutEchoingThem() {
    assertThatThrownBy(() -> AwsConfig.from(settings("endpoint", "https://AKIAX:s3cr3t@host")))
        .hasMessageStartingWith("mounts[0].backend.endpoint: must not contain credentials")
        .hasMessageNotContaining("s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://secretsmanager.eu-west-1.amazonaws.com", "http://localhost:4566",
      "http://[::1]:4566", "http://127.0.0.2:4566/"})
  void httpsEverywhere_andHttpToLoopback_areAccepted(String endpoint) {
    assertThat(AwsConfig.from(settings("endpoint", endpoint)).endpoint()).isPresent();
  }

  @ParameterizedTest
  @CsvSource({"50ms, must be between 100ms and 5m", "10m, must be between 100ms and 5m",
      "soon, expected a duration"})
  void timeoutOutOfRange_namesTheKeyPath(String timeout, String rule) {
    assertThatThrownBy(() -> AwsConfig.from(settings("timeout", timeout)))
        .hasMessageStartingWith("mounts[0].backend.timeout: ")
        .hasMessageContaining(rule);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 65_537})
  void maxValueBytesBeyondAwsLimit_namesTheKeyPath(int bytes) {
    assertThatThrownBy(() -> AwsConfig.from(settings("max-value-bytes", bytes)))
        .hasMessage("mounts[0].backend.max-value-bytes: must be between 1 and 65536, got " + bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space/", "ümlaut/", "colon:/", "star*"})
  void namePrefixOutsideAwsCharset_namesTheKeyPath(String prefix) {
    assertThatThrownBy(() -> AwsConfig.from(settings("name-prefix", prefix)))
        .hasMessageStartingWith("mounts[0].backend.name-prefix: expected at most 256 characters");
  }

  @Test
  void namePrefixLongerThan256_isRejected() {
    assertThatThrownBy(() -> AwsConfig.from(settings("name-prefix", "a".repeat(257))))
        .hasMessageStartingWith("mounts[0].backend.name-prefix: ");
  }

  @Test
  void kmsKeyIdWithSpaces_isRejected() {
    assertThatThrownBy(() -> AwsConfig.from(settings("kms-key-id", "my key")))
        .hasMessageStartingWith("mounts[0].backend.kms-key-id: expected a KMS key id");
  }
}
