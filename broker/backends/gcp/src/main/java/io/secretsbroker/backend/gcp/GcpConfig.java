package io.secretsbroker.backend.gcp;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one GCP Secret Manager mount, validated.
 *
 * @param project the Google Cloud project id (or number) that holds the secrets
 * @param endpoint a {@code host:port} that replaces GCP's default endpoint, or null for the default
 * @param plaintext whether to talk to {@code endpoint} without TLS and without credentials (only to a literal
 *     loopback address)
 * @param timeout the deadline of each call to GCP
 * @param maxValueBytes the largest value this mount stores
 * @param idPrefix the prefix of every secret id this mount creates, or the empty string for none
 */
record GcpConfig(String project, String endpoint, boolean plaintext, Duration timeout, int maxValueBytes,
    String idPrefix) {

  /** GCP's own payload limit, 64 KiB. */
  static final int GCP_MAX_VALUE_BYTES = 64 * 1024;
  /** The default {@code max-value-bytes}. */
  static final int DEFAULT_MAX_VALUE_BYTES = GCP_MAX_VALUE_BYTES;
  /** The default {@code timeout}. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
  /** The keys a {@code gcp} backend section may hold. */
  static final Set<String> KEYS =
      Set.of("type", "project", "endpoint", "plaintext", "timeout", "max-value-bytes", "id-prefix");

  private static final Pattern PROJECT_ID = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
  private static final Pattern PROJECT_NUMBER = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern ID_PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");
  private static final Pattern HOST = Pattern.compile(
      "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
      + "|\\[[0-9A-Fa-f:.]+\\]");
  private static final Pattern LOOPBACK_V4 =
      Pattern.compile("127\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){2}");

  /**
   * Reads and validates a mount's {@code backend} section.
   *
   * @throws ConfigException naming the key path of the first setting that is missing, unknown or invalid
   */
  static GcpConfig from(Settings settings) {
    settings.allowOnly(KEYS);
    String project = settings.string("project");
    if (!PROJECT_ID.matcher(project).matches() && !PROJECT_NUMBER.matcher(project).matches()) {
      throw new ConfigException(settings.pathOf("project") + ": expected a project id (6-30 of a-z, 0-9 and '-',"
          + " starting with a letter) or a project number, got '" + project + "'");
    }
    String endpoint = settings.optString("endpoint").orElse(null);
    if (endpoint != null) {
      checkEndpoint(settings.pathOf("endpoint"), endpoint);
    }
    boolean plaintext = settings.bool("plaintext", false);
    if (plaintext && endpoint == null) {
      throw new ConfigException(settings.pathOf("plaintext") + ": requires an endpoint on a loopback address");
    }
    if (plaintext && !isLoopback(hostOf(endpoint))) {
      throw new ConfigException(settings.pathOf("plaintext") + ": allowed only with a loopback endpoint"
          + " address (127.0.0.1 or [::1]; not a host name), got '" + endpoint + "'");
    }
    Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT);
    int maxValueBytes = settings.integer("max-value-bytes", DEFAULT_MAX_VALUE_BYTES, 1, GCP_MAX_VALUE_BYTES);
    String idPrefix = settings.optString("id-prefix").orElse("");
    if (!idPrefix.isEmpty() && !ID_PREFIX.matcher(idPrefix).matches()) {
      throw new ConfigException(settings.pathOf("id-prefix") + ": expected 1-63 of A-Z, a-z, 0-9 and '-',"
          + " starting with a letter or digit, got '" + idPrefix + "'");
    }
    return new GcpConfig(project, endpoint, plaintext, timeout, maxValueBytes, idPrefix);
  }

  private static void checkEndpoint(String path, String endpoint) {
    if (endpoint.contains("://") || endpoint.contains("/")) {
      throw new ConfigException(path + ": expected host:port without a scheme or path, got '" + endpoint + "'");
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || endpoint.endsWith("]")) {
      throw new ConfigException(path + ": expected host:port, got '" + endpoint + "'");
    }
    String host = endpoint.substring(0, colon);
    String port = endpoint.substring(colon + 1);
    if (!HOST.matcher(host).matches()) {
      throw new ConfigException(path + ": '" + host + "' is not a host name or address"
          + " (write IPv6 addresses in brackets)");
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 1 || p > 65_535) {
      throw new ConfigException(path + ": port must be between 1 and 65535, got '" + port + "'");
    }
  }

  private static String hostOf(String endpoint) {
    return endpoint.substring(0, endpoint.lastIndexOf(':'));
  }

  private static boolean isLoopback(String host) {
    return host.equals("[::1]") || LOOPBACK_V4.matcher(host).matches();
  }
}
