package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Shared set-up of the AWS tests: dummy credentials, settings and a plain SDK client for looking behind the backend. */
final class AwsTestSupport {
  static final String REGION = "us-east-1";
  static final String MOUNT_PATH = "mounts[0].backend";

  private AwsTestSupport() {}

  /**
   * Gives the SDK's default credentials chain dummy credentials through its standard system properties, the way
   * a deployment would through the environment or a role; moto accepts any.
   */
  static void useDummyCredentials() {
    if (System.getProperty("aws.accessKeyId") == null) {
      System.setProperty("aws.accessKeyId", "test");
      System.setProperty("aws.secretAccessKey", "test");
    }
  }

  /** Backend settings at {@value #MOUNT_PATH} with {@code type} and {@code region} plus {@code extra} (key, value...). */
  static Settings settings(Object... extra) {
    Map<String, Object> values = new HashMap<>();
    values.put("type", "aws");
    values.put("region", REGION);
    for (int i = 0; i < extra.length; i += 2) {
      values.put((String) extra[i], extra[i + 1]);
    }
    return new Settings(MOUNT_PATH, values);
  }

  /** An SDK client with static dummy credentials and no retries, for the tests' own look at AWS. */
  static SecretsManagerClient rawClient(String endpoint) {
    return SecretsManagerClient.builder()
        .region(Region.of(REGION))
        .endpointOverride(URI.create(endpoint))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.builder().build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
