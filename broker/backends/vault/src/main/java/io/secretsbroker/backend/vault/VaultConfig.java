package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The settings of one Vault mount, parsed and checked from {@code mounts[i].backend}. Holds names of environment
 * variables and files, never a credential itself.
 *
 * @param address the Vault server, {@code https://host:port} ({@code http} only to a loopback host)
 * @param mount the KV v2 mount path, without slashes (e.g. {@code secret} or {@code team/kv})
 * @param pathPrefix a folder inside the mount every name is stored under, {@code ""} or ending in {@code /}
 * @param namespace the Vault Enterprise namespace sent as {@code X-Vault-Namespace}, or null
 * @param auth how the backend obtains its Vault token
 * @param timeout the connect and per-request timeout
 * @param maxValueBytes the largest value accepted
 * @param caFile a PEM file of CA certificates to trust for an https address, or null for the JVM's defaults
 */
record VaultConfig(URI address, String mount, String pathPrefix, String namespace, Auth auth, Duration timeout,
    int maxValueBytes, Path caFile) {

  /** The KV mount used when none is configured. */
  static final String DEFAULT_MOUNT = "secret";
  /** The timeout used when none is configured. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** The value size limit used when none is configured: the broker's own limit. */
  static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
  /** The largest {@code max-value-bytes} allowed: half of Consul's 512 KiB entry limit, leaving room for base64. */
  static final int MAX_MAX_VALUE_BYTES = 256 * 1024;
  /** Where Kubernetes mounts a pod's service account token. */
  static final Path DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private static final Set<String> KEYS = Set.of("type", "address", "mount", "path-prefix", "namespace", "auth",
      "timeout", "max-value-bytes", "ca-file");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  VaultConfig {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(mount, "mount");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** How the backend authenticates to Vault. */
  sealed interface Auth permits TokenAuth, AppRoleAuth, KubernetesAuth {
    /** The word used in config ({@code auth.method}). */
    String method();
  }

  /**
   * A Vault token read from an environment variable or a file (e.g. a Vault Agent sink); exactly one is set.
   *
   * @param tokenEnv the name of the environment variable holding the token, or null
   * @param tokenFile the file holding the token, or null; read again whenever Vault refuses the token
   */
  record TokenAuth(String tokenEnv, Path tokenFile) implements Auth {
    @Override
    public String method() {
      return "token";
    }
  }

  /**
   * AppRole login; exactly one of {@code secretIdEnv} and {@code secretIdFile} is set.
   *
   * @param roleId the role id
   * @param secretIdEnv the name of the environment variable holding the secret id, or null
   * @param secretIdFile the file holding the secret id, or null; read at each login
   * @param mount the AppRole auth mount path
   */
  record AppRoleAuth(String roleId, String secretIdEnv, Path secretIdFile, String mount) implements Auth {
    @Override
    public String method() {
      return "approle";
    }

    /** Does not print the role id. */
    @Override
    public String toString() {
      return "AppRoleAuth[roleId=[REDACTED], secretIdEnv=" + secretIdEnv + ", secretIdFile=" + secretIdFile
          + ", mount=" + mount + "]";
    }
  }

  /**
   * Kubernetes login with the pod's service account token.
   *
   * @param role the Vault role bound to the service account
   * @param serviceAccountTokenFile the service account token (JWT) file, read at each login
   * @param mount the Kubernetes auth mount path
   */
  record KubernetesAuth(String role, Path serviceAccountTokenFile, String mount) implements Auth {
    @Override
    public String method() {
      return "kubernetes";
    }
  }

  /**
   * Parses and checks a backend section.
   *
   * @param settings the {@code backend} section of one mount
   * @param env looks up environment variables (only to check that the named ones are set)
   * @throws ConfigException naming the key path at fault
   */
  static VaultConfig parse(Settings settings, Function<String, String> env) {
    settings.allowOnly(KEYS);
    URI address = parseAddress(settings);
    String mount = folderPath(settings, "mount", DEFAULT_MOUNT, false);
    String pathPrefix = folderPath(settings, "path-prefix", "", true);
    String namespace = settings.optString("namespace").map(ns -> {
      String trimmed = trimSlashes(ns);
      checkSegments(settings.pathOf("namespace"), trimmed);
      return trimmed;
    }).orElse(null);
    Duration timeout = settings.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5));
    int maxValueBytes = settings.integer("max-value-bytes", DEFAULT_MAX_VALUE_BYTES, 1, MAX_MAX_VALUE_BYTES);
    Path caFile = settings.optString("ca-file").map(f -> {
      if (!"https".equals(address.getScheme())) {
        throw new ConfigException(settings.pathOf("ca-file") + ": only applies to an https address");
      }
      Path p = readableFile(settings, "ca-file", f);
      try {
        Tls.loadCertificates(p);
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigException(settings.pathOf("ca-file") + ": not a PEM file of X.509 certificates: " + p);
      }
      return p;
    }).orElse(null);
    Auth auth = parseAuth(settings.section("auth"), env);
    return new VaultConfig(address, mount, pathPrefix, namespace, auth, timeout, maxValueBytes, caFile);
  }

  private static URI parseAddress(Settings settings) {
    String key = settings.pathOf("address");
    String text = settings.string("address").trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": not a URL: '" + text + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException(key + ": expected an http:// or https:// URL, got '" + text + "'");
    }
    if (uri.getHost() == null) {
      throw new ConfigException(key + ": the URL has no host: '" + text + "'");
    }
    if (uri.getRawUserInfo() != null) {
      // Not echoed: user info may hold a credential.
      throw new ConfigException(key + ": credentials in the URL are refused; see auth for how to authenticate");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
      throw new ConfigException(key + ": expected scheme://host[:port] only (no path or query), got '"
          + text + "'");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    URI address;
    try {
      address = new URI(scheme, null, uri.getHost(), port, null, null, null);
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": not a URL: '" + text + "'");
    }
    if (scheme.equals("http") && !isLoopback(address)) {
      throw new ConfigException(key + ": plain http is only allowed to a loopback host (127.0.0.1, ::1, "
          + "localhost), since the Vault token and secret values would cross the network in clear text; use https");
    }
    return address;
  }

  /** Whether {@code address} names this machine, without a DNS lookup. */
  static boolean isLoopback(URI address) {
    String host = address.getHost();
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!host.isEmpty() && (Character.isDigit(host.charAt(0)) || host.startsWith("["))) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  private static Auth parseAuth(Settings auth, Function<String, String> env) {
    if (auth.has("token")) {
      throw new ConfigException(auth.pathOf("token") + ": a token never goes in the config file; put it in an "
          + "environment variable named by token-env or in a file named by token-file");
    }
    if (auth.has("secret-id")) {
      throw new ConfigException(auth.pathOf("secret-id") + ": a secret id never goes in the config file; use "
          + "secret-id-env or secret-id-file");
    }
    String method = auth.string("method").trim().toLowerCase(Locale.ROOT);
    switch (method) {
      case "token" -> {
        auth.allowOnly(Set.of("method", "token-env", "token-file"));
        String tokenEnv = envName(auth, "token-env", env);
        Path tokenFile = auth.optString("token-file").map(f -> readableFile(auth, "token-file", f)).orElse(null);
        exactlyOne(auth, "token-env", tokenEnv, "token-file", tokenFile);
        return new TokenAuth(tokenEnv, tokenFile);
      }
      case "approle" -> {
        auth.allowOnly(Set.of("method", "role-id", "secret-id-env", "secret-id-file", "auth-mount"));
        String roleId = auth.string("role-id").trim();
        String secretIdEnv = envName(auth, "secret-id-env", env);
        Path secretIdFile = auth.optString("secret-id-file").map(f -> readableFile(auth, "secret-id-file", f))
            .orElse(null);
        exactlyOne(auth, "secret-id-env", secretIdEnv, "secret-id-file", secretIdFile);
        return new AppRoleAuth(roleId, secretIdEnv, secretIdFile, folderPath(auth, "auth-mount", "approle", false));
      }
      case "kubernetes" -> {
        auth.allowOnly(Set.of("method", "role", "service-account-token-file", "auth-mount"));
        String role = auth.string("role").trim();
        Path jwtFile = auth.optString("service-account-token-file")
            .map(f -> readableFile(auth, "service-account-token-file", f))
            .orElseGet(() -> readableFile(auth, "service-account-token-file",
                DEFAULT_SERVICE_ACCOUNT_TOKEN_FILE.toString()));
        return new KubernetesAuth(role, jwtFile, folderPath(auth, "auth-mount", "kubernetes", false));
      }
      default -> throw new ConfigException(auth.pathOf("method")
          + ": expected token, approle or kubernetes, got '" + method + "'");
    }
  }

  private static String envName(Settings auth, String key, Function<String, String> env) {
    return auth.optString(key).map(name -> {
      String trimmed = name.trim();
      if (!ENV_NAME.matcher(trimmed).matches()) {
        // The value is not echoed: it may be the credential itself, pasted by mistake.
        throw new ConfigException(auth.pathOf(key) + ": expected the name of an environment variable "
            + "(letters, digits and _), not the credential itself");
      }
      String value = env.apply(trimmed);
      if (value == null || value.isBlank()) {
        throw new ConfigException(auth.pathOf(key) + ": environment variable " + trimmed + " is not set or empty");
      }
      return trimmed;
    }).orElse(null);
  }

  private static void exactlyOne(Settings auth, String a, Object valueA, String b, Object valueB) {
    if ((valueA == null) == (valueB == null)) {
      throw new ConfigException(auth.pathOf(a) + ": set exactly one of " + a + " and " + b);
    }
  }

  private static Path readableFile(Settings settings, String key, String file) {
    Path p = Path.of(file.trim());
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException(settings.pathOf(key) + ": cannot read file " + p);
    }
    return p;
  }

  private static String folderPath(Settings settings, String key, String defaultValue, boolean trailingSlash) {
    String raw = settings.optString(key).map(VaultConfig::trimSlashes).orElse(defaultValue);
    if (raw.isEmpty()) {
      if (!trailingSlash) {
        throw new ConfigException(settings.pathOf(key) + ": must not be empty");
      }
      return "";
    }
    checkSegments(settings.pathOf(key), raw);
    return trailingSlash ? raw + "/" : raw;
  }

  private static void checkSegments(String keyPath, String path) {
    for (String segment : path.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        throw new ConfigException(keyPath + ": expected segments of letters, digits, '.', '_' and '-' "
            + "separated by '/', got '" + path + "'");
      }
    }
  }

  private static String trimSlashes(String s) {
    String t = s.trim();
    int start = 0;
    int end = t.length();
    while (start < end && t.charAt(start) == '/') {
      start++;
    }
    while (end > start && t.charAt(end - 1) == '/') {
      end--;
    }
    return t.substring(start, end);
  }
}
