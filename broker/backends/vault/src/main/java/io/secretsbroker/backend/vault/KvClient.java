package io.secretsbroker.backend.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.vault.authentication.AppRoleAuthentication;
import org.springframework.vault.authentication.AppRoleAuthenticationOptions;
import org.springframework.vault.authentication.ClientAuthentication;
import org.springframework.vault.authentication.KubernetesAuthentication;
import org.springframework.vault.authentication.KubernetesAuthenticationOptions;
import org.springframework.vault.client.RestTemplateBuilder;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.client.VaultHttpHeaders;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.support.VaultToken;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestOperations;

/**
 * The HTTP layer over spring-vault's {@link VaultTemplate}: sends one request to a Vault path and hands back the
 * status and JSON body, whatever the status. Transport failures and login failures become {@link BackendException}s
 * here; HTTP statuses are judged by the caller, which knows what a 404 means for its operation
 * ({@link #failure} maps the rest). A 403 makes one new login and one retry when the credentials can change.
 * Thread-safe.
 */
final class KvClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KvClient.class);
  private static final String CAS_MISMATCH = "check-and-set parameter did not match";

  private final VaultConfig config;
  private final Function<String, String> env;
  private final Clock clock;
  private final ObjectMapper json;
  private final VaultTemplate template;
  private final LoginSessionManager sessions;
  private final boolean canLoginAgain;
  private volatile Outcome lastOutcome;

  /** Whether Vault answered usefully, and when. */
  private record Outcome(boolean ok, Instant at) {}

  /**
   * A Vault answer.
   *
   * @param status the HTTP status
   * @param body the parsed JSON body, or null when empty or not JSON
   */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The {@code data} object of the response envelope (missing node when absent). */
    JsonNode data() {
      return body == null ? MissingNode.getInstance() : body.path("data");
    }

    /** Vault's {@code errors} joined; only for logs and classification, never for callers. */
    String errors() {
      if (body == null || !body.path("errors").isArray()) {
        return "";
      }
      List<String> out = new ArrayList<>();
      body.path("errors").forEach(e -> out.add(e.asText()));
      return String.join("; ", out);
    }

    /**
     * Whether Vault says the path holds nothing: a 404 without error text. A 404 with text (e.g. "no handler for
     * route") means the mount or namespace is wrong, which is not an absent secret.
     */
    boolean absent() {
      return status == 404 && errors().isEmpty();
    }

    /** Whether Vault refused a write because its {@code cas} did not match. */
    boolean casMismatch() {
      return status == 400 && errors().contains(CAS_MISMATCH);
    }
  }

  KvClient(VaultConfig config, Function<String, String> env, Clock clock, ObjectMapper json) {
    this.config = config;
    this.env = env;
    this.clock = clock;
    this.json = json;
    JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient(config));
    requestFactory.setReadTimeout(config.timeout());
    VaultEndpoint endpoint = new VaultEndpoint();
    endpoint.setScheme(config.address().getScheme());
    endpoint.setHost(config.address().getHost());
    endpoint.setPort(config.address().getPort());
    RestOperations loginOperations = builder(endpoint, requestFactory).build();
    this.sessions = new LoginSessionManager(authentication(config.auth(), loginOperations), clock);
    this.canLoginAgain = !(config.auth() instanceof VaultConfig.TokenAuth t && t.tokenEnv() != null);
    this.template = new VaultTemplate(builder(endpoint, requestFactory).errorHandler(new AcceptEveryStatus()),
        sessions);
  }

  private RestTemplateBuilder builder(VaultEndpoint endpoint, JdkClientHttpRequestFactory requestFactory) {
    RestTemplateBuilder b = RestTemplateBuilder.builder().endpoint(endpoint).requestFactory(requestFactory);
    if (config.namespace() != null) {
      b = b.defaultHeader(VaultHttpHeaders.VAULT_NAMESPACE, config.namespace());
    }
    return b;
  }

  private static HttpClient httpClient(VaultConfig config) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (config.caFile() != null) {
      try {
        b.sslContext(Tls.trusting(config.caFile()));
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigException("ca-file: cannot load " + config.caFile(), e);
      }
    }
    return b.build();
  }

  private Supplier<ClientAuthentication> authentication(VaultConfig.Auth auth, RestOperations login) {
    if (auth instanceof VaultConfig.TokenAuth t) {
      return () -> () -> VaultToken.of(t.tokenEnv() != null
          ? fromEnv(t.tokenEnv(), "auth.token-env")
          : fromFile(t.tokenFile(), "auth.token-file"));
    }
    if (auth instanceof VaultConfig.AppRoleAuth a) {
      return () -> new AppRoleAuthentication(AppRoleAuthenticationOptions.builder()
          .path(a.mount())
          .roleId(AppRoleAuthenticationOptions.RoleId.provided(a.roleId()))
          .secretId(AppRoleAuthenticationOptions.SecretId.provided(a.secretIdEnv() != null
              ? fromEnv(a.secretIdEnv(), "auth.secret-id-env")
              : fromFile(a.secretIdFile(), "auth.secret-id-file")))
          .build(), login);
    }
    VaultConfig.KubernetesAuth k = (VaultConfig.KubernetesAuth) auth;
    return () -> new KubernetesAuthentication(KubernetesAuthenticationOptions.builder()
        .path(k.mount())
        .role(k.role())
        .jwtSupplier(() -> fromFile(k.serviceAccountTokenFile(), "auth.service-account-token-file"))
        .build(), login);
  }

  private String fromEnv(String name, String key) {
    String value = env.apply(name);
    if (value == null || value.isBlank()) {
      throw new CredentialUnavailable(key + ": environment variable " + name + " is not set or empty");
    }
    return value.trim();
  }

  private static String fromFile(Path file, String key) {
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (value.isEmpty()) {
        throw new CredentialUnavailable(key + ": file " + file + " is empty");
      }
      return value;
    } catch (IOException | UncheckedIOException e) {
      throw new CredentialUnavailable(key + ": cannot read file " + file);
    }
  }

  /** A credential could not be read locally; its message names the config key and never the credential. */
  static final class CredentialUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CredentialUnavailable(String message) {
      super(message);
    }
  }

  /**
   * Sends one request with the session token.
   *
   * @param path the path under {@code /v1/}, query included
   * @param body the JSON body, or null
   * @param action what the call does, for error messages ("reading secret 'db'")
   * @throws BackendException UNAVAILABLE when Vault cannot be reached or timed out, PERMISSION_DENIED when the
   *     login is refused
   */
  Reply send(HttpMethod method, String path, JsonNode body, String action) {
    byte[] bytes = body == null ? null : toBytes(body);
    for (int attempt = 0; ; attempt++) {
      long generation = sessions.generation();
      Reply reply = once(method, path, bytes, action);
      if (reply.status() == 403 && attempt == 0 && canLoginAgain) {
        sessions.invalidate(generation);
        continue;
      }
      record(reply.status() < 500 && reply.status() != 429);
      return reply;
    }
  }

  private Reply once(HttpMethod method, String path, byte[] body, String action) {
    try {
      return template.doWithSession(ops -> exchange(ops, method, path, body));
    } catch (RuntimeException e) {
      record(false);
      throw classify(e, action);
    }
  }

  private Reply exchange(RestOperations ops, HttpMethod method, String path, byte[] body) {
    HttpHeaders headers = new HttpHeaders();
    if (body != null) {
      headers.setContentType(MediaType.APPLICATION_JSON);
    }
    ResponseEntity<byte[]> response = ops.exchange(path, method, new HttpEntity<>(body, headers), byte[].class);
    return new Reply(response.getStatusCode().value(), parse(response.getBody()));
  }

  private JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private byte[] toBytes(JsonNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new BackendException(ErrorCode.INTERNAL, "vault: cannot encode a request", e);
    }
  }

  /**
   * Whether Vault answers: true when the last call got an answer within {@code freshFor}; otherwise asks
   * {@code sys/health} (no token needed) and remembers the outcome.
   */
  boolean healthy(Duration freshFor) {
    Outcome last = lastOutcome;
    if (last != null && last.ok() && !clock.instant().isAfter(last.at().plus(freshFor))) {
      return true;
    }
    try {
      Integer status = template.doWithVault(ops -> ops.exchange("sys/health?standbyok=true&perfstandbyok=true",
          HttpMethod.GET, HttpEntity.EMPTY, byte[].class).getStatusCode().value());
      boolean ok = status != null && status == 200;
      record(ok);
      return ok;
    } catch (RuntimeException e) {
      record(false);
      LOG.debug("vault health probe of {} failed", config.address(), e);
      return false;
    }
  }

  private void record(boolean ok) {
    lastOutcome = new Outcome(ok, clock.instant());
  }

  /** How many logins this client made. */
  long logins() {
    return sessions.logins();
  }

  /** The exception for a Vault answer the caller does not expect; never carries Vault's text to callers. */
  BackendException failure(Reply reply, String action) {
    ErrorCode code = codeFor(reply.status(), reply.errors());
    String reason = switch (code) {
      case NOT_FOUND -> "not found";
      case CONFLICT -> "check-and-set did not match";
      case PERMISSION_DENIED -> "permission denied";
      case RESOURCE_EXHAUSTED -> "Vault is throttling requests";
      case UNAVAILABLE -> reply.status() == 503 ? "Vault is sealed or unavailable" : "Vault is unavailable";
      default -> reply.status() == 404 ? "Vault has no such path (check mount and namespace)"
          : "unexpected answer";
    };
    return new BackendException(code, "vault: " + action + " failed: " + reason + " (HTTP " + reply.status() + ")",
        new VaultHttpStatus(reply.status(), reply.errors()));
  }

  /** The broker's code for a Vault HTTP status (and its errors, to tell a CAS mismatch from other 400s). */
  static ErrorCode codeFor(int status, String errors) {
    if (status == 400 && errors.contains(CAS_MISMATCH)) {
      return ErrorCode.CONFLICT;
    }
    return switch (status) {
      case 401, 403 -> ErrorCode.PERMISSION_DENIED;
      case 404 -> errors.isEmpty() ? ErrorCode.NOT_FOUND : ErrorCode.INTERNAL;
      case 412 -> ErrorCode.UNAVAILABLE; // a standby has not caught up yet
      case 429 -> ErrorCode.RESOURCE_EXHAUSTED;
      default -> status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
    };
  }

  private BackendException classify(RuntimeException e, String action) {
    if (e instanceof BackendException b) {
      return b;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResourceAccessException && t.getCause() != null) {
        continue; // the I/O cause below says more
      }
      if (t instanceof CredentialUnavailable c) {
        return new BackendException(ErrorCode.UNAVAILABLE, "vault: " + action + " failed: cannot read the "
            + config.auth().method() + " credential (" + c.getMessage() + ")", e);
      }
      if (t instanceof HttpStatusCodeException h) {
        int status = h.getStatusCode().value();
        ErrorCode code = codeFor(status, "");
        String outcome = "was refused";
        if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.RESOURCE_EXHAUSTED) {
          outcome = "failed: Vault is " + (code == ErrorCode.UNAVAILABLE ? "unavailable" : "throttling requests");
        } else {
          code = ErrorCode.PERMISSION_DENIED;
        }
        return new BackendException(code, "vault: " + action + " failed: login with auth method "
            + config.auth().method() + " " + outcome + " (HTTP " + status + ")", e);
      }
      if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException
          || t instanceof CancellationException || t instanceof TimeoutException) {
        // Spring's JDK request cancels the exchange at the read timeout; the cancellation may surface as is.
        return new BackendException(ErrorCode.UNAVAILABLE, "vault: " + action + " failed: Vault at "
            + config.address() + " did not answer within " + Settings.format(config.timeout()), e);
      }
      if (t instanceof ResourceAccessException || t instanceof IOException) {
        return new BackendException(ErrorCode.UNAVAILABLE, "vault: " + action + " failed: cannot reach Vault at "
            + config.address() + " (" + t.getClass().getSimpleName() + ")", e);
      }
    }
    return new BackendException(ErrorCode.INTERNAL, "vault: " + action + " failed unexpectedly", e);
  }

  /** The cause attached to HTTP failures, for the log only. */
  static final class VaultHttpStatus extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VaultHttpStatus(int status, String errors) {
      super("HTTP " + status + (errors.isEmpty() ? "" : ": "
          + (errors.length() > 300 ? errors.substring(0, 300) + "..." : errors)), null, false, false);
    }
  }

  /** Lets every status through, so the caller judges it; spring-vault's login keeps the default handler. */
  private static final class AcceptEveryStatus implements ResponseErrorHandler {
    @Override
    public boolean hasError(ClientHttpResponse response) {
      return false;
    }
  }

  /**
   * Revokes a token this client obtained by logging in (AppRole, Kubernetes), so it does not outlive the backend,
   * and releases the client. Never throws.
   */
  @Override
  public void close() {
    VaultToken token = sessions.takeToken();
    if (token != null && !(config.auth() instanceof VaultConfig.TokenAuth)) {
      try {
        template.doWithVault(ops -> ops.exchange("auth/token/revoke-self", HttpMethod.POST,
            new HttpEntity<>(null, VaultHttpHeaders.from(token)), byte[].class));
      } catch (RuntimeException e) {
        LOG.debug("revoking the vault login token failed; it expires with its TTL", e);
      }
    }
    try {
      template.destroy();
    } catch (Exception e) {
      LOG.debug("closing the vault client failed", e);
    }
  }
}
