package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one AWS Secrets Manager mount, validated.
 *
 * @param region the AWS region, e.g. {@code us-east-1}
 * @param endpoint the endpoint to call instead of the region's own, if any
 * @param timeout the limit on each call to AWS, connection included
 * @param maxValueBytes the largest value a write may store
 * @param namePrefix prepended to every broker name to form the AWS secret name ({@code ""} for none)
 * @param kmsKeyId the KMS key for secrets this mount creates, if any (else the account's default key)
 */
record AwsConfig(String region, Optional<URI> endpoint, Duration timeout, int maxValueBytes, String namePrefix,
    Optional<String> kmsKeyId) {

  static final String TYPE = "type";
  static final String REGION = "region";
  static final String ENDPOINT = "endpoint";
  static final String TIMEOUT = "timeout";
  static final String MAX_VALUE_BYTES = "max-value-bytes";
  static final String NAME_PREFIX = "name-prefix";
  static final String KMS_KEY_ID = "kms-key-id";

  /** Every key a mount of this kind accepts. */
  static final Set<String> KEYS = Set.of(TYPE, REGION, ENDPOINT, TIMEOUT, MAX_VALUE_BYTES, NAME_PREFIX, KMS_KEY_ID);

  /** The default of {@code timeout}. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
  /** AWS's own limit on {@code SecretString} and {@code SecretBinary}, and the default of {@code max-value-bytes}. */
  static final int AWS_MAX_VALUE_BYTES = 65_536;
  /** The longest {@code name-prefix}: leaves room for names within AWS's 512-character limit. */
  static final int MAX_NAME_PREFIX_LENGTH = 256;
  /** AWS's limit on a KMS key id, alias or ARN. */
  static final int MAX_KMS_KEY_ID_LENGTH = 2048;

  private static final Pattern REGION_PATTERN = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");
  private static final Pattern NAME_PREFIX_PATTERN = Pattern.compile("[A-Za-z0-9/_+=.@-]+");
  private static final Pattern KMS_KEY_PATTERN = Pattern.compile("[A-Za-z0-9:/_+=.@-]+");

  AwsConfig {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(namePrefix, "namePrefix");
    Objects.requireNonNull(kmsKeyId, "kmsKeyId");
  }

  /**
   * Reads and validates a mount's {@code backend} section.
   *
   * @throws ConfigException naming the key path of the first key that is unknown, missing or out of range
   */
  static AwsConfig from(Settings settings) {
    settings.allowOnly(KEYS);
    String region = settings.string(REGION);
    if (!REGION_PATTERN.matcher(region).matches()) {
      throw new ConfigException(settings.pathOf(REGION) + ": expected an AWS region like us-east-1, got '"
          + region + "'");
    }
    Optional<URI> endpoint = settings.optString(ENDPOINT).map(v -> endpoint(settings.pathOf(ENDPOINT), v));
    Duration timeout = settings.duration(TIMEOUT, DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT);
    int maxValueBytes = settings.integer(MAX_VALUE_BYTES, AWS_MAX_VALUE_BYTES, 1, AWS_MAX_VALUE_BYTES);
    String namePrefix = settings.optString(NAME_PREFIX).orElse("");
    if (!namePrefix.isEmpty() && (namePrefix.length() > MAX_NAME_PREFIX_LENGTH
        || !NAME_PREFIX_PATTERN.matcher(namePrefix).matches())) {
      throw new ConfigException(settings.pathOf(NAME_PREFIX) + ": expected at most " + MAX_NAME_PREFIX_LENGTH
          + " characters of A-Z a-z 0-9 / _ + = . @ -");
    }
    Optional<String> kmsKeyId = settings.optString(KMS_KEY_ID);
    if (kmsKeyId.isPresent() && (kmsKeyId.get().length() > MAX_KMS_KEY_ID_LENGTH
        || !KMS_KEY_PATTERN.matcher(kmsKeyId.get()).matches())) {
      throw new ConfigException(settings.pathOf(KMS_KEY_ID)
          + ": expected a KMS key id, alias (alias/name) or ARN");
    }
    return new AwsConfig(region, endpoint, timeout, maxValueBytes, namePrefix, kmsKeyId);
  }

  /**
   * Parses an endpoint URL: {@code https://host[:port]}, or {@code http://} to a loopback host only, since values
   * would otherwise cross the network in clear text.
   */
  private static URI endpoint(String keyPath, String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException(keyPath + ": expected a URL like https://secretsmanager.us-east-1.amazonaws.com");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigException(keyPath + ": must not contain credentials; the SDK's credentials chain supplies them");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
      throw new ConfigException(keyPath + ": expected an http(s) URL with a host, got '" + text + "'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new ConfigException(keyPath + ": expected scheme, host and port only, got '" + text + "'");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new ConfigException(keyPath + ": plain http is only allowed to a loopback host; use https for '"
          + uri.getHost() + "'");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false; // a DNS name: never resolved here
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
