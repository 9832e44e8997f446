package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3StoresTest {
  @Test
  void endpoint_https_anyHost_http_loopbackOnly() {
    assertThat(S3Stores.endpoint("https://s3.eu-west-1.amazonaws.com").getHost())
        .isEqualTo("s3.eu-west-1.amazonaws.com");
    assertThat(S3Stores.endpoint("http://127.0.0.1:9000").getPort()).isEqualTo(9000);
    assertThat(S3Stores.endpoint("http://localhost:9000/").getHost()).isEqualTo("localhost");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://minio.internal:9000", "ftp://127.0.0.1", "https://key:secret@s3.example.com",
      "https://s3.example.com/bucket", "not a url"})
  void endpoint_refused_namesTheVariable_neverEchoesCredentials(String text) {
    assertThatThrownBy(() -> S3Stores.endpoint(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(S3Stores.ENDPOINT_ENV + ": ").message().doesNotContain("secret");
  }

  @Test
  void stores_fromALocation_withEnvEndpointAndRegion_describeTheLocation() {
    Map<String, String> env = Map.of(S3Stores.ENDPOINT_ENV, "http://127.0.0.1:1", S3Stores.REGION_ENV, "eu-west-1");
    try (S3Archive archive = S3Stores.archive("s3://audit-bucket/p", env);
        S3Anchor anchor = S3Stores.anchor("s3://audit-bucket/q", env)) {
      assertThat(archive.describe()).isEqualTo("s3://audit-bucket/p");
      assertThat(anchor.describe()).isEqualTo("s3://audit-bucket/q");
    }
    assertThatThrownBy(() -> S3Stores.archive("s3://audit-bucket", Map.of(S3Stores.REGION_ENV, "Europe")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("AWS_REGION: ");
  }
}
