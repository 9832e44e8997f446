package io.secretsbroker.backend.azure;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of one Azure Key Vault mount.
 *
 * @param vaultUrl the vault's URL, {@code https://<vault>.vault.azure.net} (no path, no trailing slash)
 * @param timeout the limit on each HTTP request to the vault (connect, send, first byte, each read)
 * @param maxValueBytes the largest value accepted, in bytes as the broker sees them
 * @param namePrefix put in front of every mapped secret name (lower case); empty for none
 */
record AzureConfig(URI vaultUrl, Duration timeout, int maxValueBytes, String namePrefix) {

  /** The kind named in config. */
  static final String KIND = "azure";
  /** Key Vault's own limit on a stored value: 25 KB. */
  static final int KEY_VAULT_MAX_VALUE_BYTES = 25 * 1024;
  /** The value limit by default, and its ceiling. */
  static final int DEFAULT_MAX_VALUE_BYTES = KEY_VAULT_MAX_VALUE_BYTES;
  /** The request timeout by default. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

  static final Set<String> KEYS = Set.of("type", "vault-url", "timeout", "max-value-bytes", "name-prefix");

  AzureConfig {
    Objects.requireNonNull(vaultUrl, "vaultUrl");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(namePrefix, "namePrefix");
  }

  /**
   * Reads and checks a mount's settings.
   *
   * @param settings the mount's {@code backend} section
   * @throws ConfigException naming the key path at fault
   */
  static AzureConfig from(Settings settings) {
    settings.allowOnly(KEYS);
    URI vaultUrl = parseVaultUrl(settings.pathOf("vault-url"), settings.string("vault-url"));
    Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT);
    int maxValueBytes = settings.integer("max-value-bytes", DEFAULT_MAX_VALUE_BYTES, 1, KEY_VAULT_MAX_VALUE_BYTES);
    String namePrefix = settings.optString("name-prefix").map(String::trim).orElse("");
    if (!namePrefix.isEmpty() && !AzureNames.NAME_PREFIX.matcher(namePrefix).matches()) {
      throw new ConfigException(settings.pathOf("name-prefix") + ": must be 1 to 64 of [0-9a-zA-Z-], got '"
          + namePrefix + "'");
    }
    return new AzureConfig(vaultUrl, timeout, maxValueBytes, namePrefix.toLowerCase(Locale.ROOT));
  }

  private static URI parseVaultUrl(String key, String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": not a URL: '" + text + "'");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException(key + ": must be an https:// URL (Key Vault accepts only TLS), got '" + text + "'");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new ConfigException(key + ": must be https://<host>[:port], got '" + text + "'");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigException(key + ": must name only the vault, without path, query or fragment, got '"
          + text + "'");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return URI.create("https://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
  }
}
