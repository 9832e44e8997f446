package io.secretsbroker.backend.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import javax.net.ssl.SSLContext;

/**
 * A strict fake of the parts of Vault's HTTP API the backend uses, written from Vault's public API docs (KV secrets
 * engine version 2, AppRole and Kubernetes login, {@code sys/health}). It answers with Vault's status codes, its
 * {@code {"errors":[...]}} bodies and its response envelope, keeps KV v2's check-and-set and version semantics, and
 * refuses requests without a valid {@code X-Vault-Token}.
 *
 * <p>Where Vault is lenient (it ignores unknown body fields and query parameters with a warning, and lists a
 * prefix that does not end in {@code /}) this fake is stricter and answers 400, so a client mistake that Vault
 * would silently ignore fails here. The fake keeps its data across {@link #stop()} and {@link #start()} on the same
 * port, to simulate an outage. Listens on 127.0.0.1 only.
 */
final class FakeVault implements AutoCloseable {
  static final String PERMISSION_DENIED = "permission denied";
  static final String CAS_MISMATCH = "check-and-set parameter did not match the current version";

  static {
    // The JDK server writes headers and body in separate segments; without TCP_NODELAY each answer waits for the
    // client's delayed ACK (about 40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final ObjectMapper json = new ObjectMapper();
  private final String mount;
  private final Clock clock;
  private final SSLContext tls;
  private final Object lock = new Object();
  private final Map<String, Secret> secrets = new TreeMap<>();
  private final Map<String, IssuedToken> tokens = new HashMap<>();
  private final Map<String, String> appRoles = new HashMap<>();
  private final Map<String, String> kubernetesRoles = new HashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private String approleMount = "approle";
  private String kubernetesMount = "kubernetes";
  private Duration loginTtl = Duration.ofHours(1);
  private String namespace;
  private boolean sealed;
  private int logins;
  private volatile CountDownLatch hang;
  private HttpServer server;
  private ExecutorService executor;
  private int port;

  /** One request as received (for assertions on what the client sent). */
  record Request(String method, String path, String query, String namespaceHeader, boolean hadToken, String body) {}

  private record IssuedToken(Instant expiresAt, BiPredicate<String, String> policy) {}

  private record Fault(int status, String body) {}

  private static final class Secret {
    long currentVersion;
    long oldestVersion;
    Instant created;
    Instant updated;
    Map<String, String> customMetadata;
    int maxVersions;
    boolean casRequired;
    final TreeMap<Long, Version> versions = new TreeMap<>();
  }

  private static final class Version {
    JsonNode data;
    Instant created;
    Instant deletion;
    boolean destroyed;
  }

  private FakeVault(String mount, Clock clock, SSLContext tls) {
    this.mount = mount;
    this.clock = clock;
    this.tls = tls;
  }

  /** Starts a fake with a KV v2 engine at {@code mount}, on a free loopback port, over plain http. */
  static FakeVault start(String mount) throws IOException {
    return start(mount, Clock.systemUTC(), null);
  }

  /** Starts a fake whose times (created_time, token expiry) come from {@code clock}; https when {@code tls} set. */
  static FakeVault start(String mount, Clock clock, SSLContext tls) throws IOException {
    FakeVault fake = new FakeVault(mount, clock, tls);
    fake.bind(0);
    return fake;
  }

  /** The address to configure: {@code http(s)://127.0.0.1:<port>}. */
  String address() {
    return (tls != null ? "https" : "http") + "://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  // ---- outage -----------------------------------------------------------------------------------------------

  /** Stops listening; data and tokens are kept. */
  void stop() {
    if (server != null) {
      release();
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  /** Listens again on the same port. */
  void start() throws IOException {
    if (server == null) {
      bind(port);
    }
  }

  private void bind(int wanted) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted);
    HttpServer s = null;
    for (int attempt = 0; s == null; attempt++) {
      try {
        if (tls != null) {
          HttpsServer https = HttpsServer.create(address, 50);
          https.setHttpsConfigurator(new HttpsConfigurator(tls));
          s = https;
        } else {
          s = HttpServer.create(address, 50);
        }
      } catch (BindException e) {
        if (wanted == 0 || attempt >= 50) {
          throw e;
        }
        Thread.onSpinWait(); // the old socket is still closing; bounded retries
      }
    }
    executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "fake-vault");
      t.setDaemon(true);
      return t;
    });
    s.setExecutor(executor);
    s.createContext("/", this::handle);
    s.start();
    server = s;
    port = s.getAddress().getPort();
  }

  @Override
  public void close() {
    stop();
  }

  // ---- test controls ----------------------------------------------------------------------------------------

  /** Adds a token allowed everything (like a root token). */
  FakeVault addToken(String token) {
    return addToken(token, (method, path) -> true);
  }

  /** Adds a token whose requests must satisfy {@code policy(method, path)} (path without {@code /v1/}). */
  FakeVault addToken(String token, BiPredicate<String, String> policy) {
    synchronized (lock) {
      tokens.put(token, new IssuedToken(null, policy));
    }
    return this;
  }

  /** Revokes a token (the next request with it gets 403). */
  void revokeToken(String token) {
    synchronized (lock) {
      tokens.remove(token);
    }
  }

  /** Revokes every token issued by a login. */
  void revokeIssuedTokens() {
    synchronized (lock) {
      tokens.values().removeIf(t -> t.expiresAt() != null);
    }
  }

  /** Enables AppRole at {@code authMount} with one role. */
  FakeVault addAppRole(String authMount, String roleId, String secretId) {
    synchronized (lock) {
      approleMount = authMount;
      appRoles.put(roleId, secretId);
    }
    return this;
  }

  /** Enables Kubernetes auth at {@code authMount} with one role that accepts exactly {@code jwt}. */
  FakeVault addKubernetesRole(String authMount, String role, String jwt) {
    synchronized (lock) {
      kubernetesMount = authMount;
      kubernetesRoles.put(role, jwt);
    }
    return this;
  }

  /** The TTL of tokens issued by logins. */
  void loginTtl(Duration ttl) {
    synchronized (lock) {
      loginTtl = ttl;
    }
  }

  /** Requires every request to carry {@code X-Vault-Namespace: ns}. */
  void requireNamespace(String ns) {
    synchronized (lock) {
      namespace = ns;
    }
  }

  /** Seals or unseals the fake (sealed: every API call answers 503). */
  void sealed(boolean value) {
    synchronized (lock) {
      sealed = value;
    }
  }

  /** The next API request (not sys/health) answers {@code status} with {@code body}. */
  void failNext(int status, String body) {
    synchronized (lock) {
      faults.add(new Fault(status, body));
    }
  }

  /** Makes every API request wait until {@link #release()} (to provoke client timeouts without sleeping). */
  void hang() {
    hang = new CountDownLatch(1);
  }

  /** Lets hanging requests go on. */
  void release() {
    CountDownLatch h = hang;
    hang = null;
    if (h != null) {
      h.countDown();
    }
  }

  /** How many tokens issued by logins are still valid. */
  int liveIssuedTokens() {
    synchronized (lock) {
      return (int) tokens.values().stream()
          .filter(t -> t.expiresAt() != null && clock.instant().isBefore(t.expiresAt())).count();
    }
  }

  /** How many successful logins happened. */
  int logins() {
    synchronized (lock) {
      return logins;
    }
  }

  /** Every request received so far, in arrival order. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the recorded requests. */
  void clearRequests() {
    requests.clear();
  }

  /** Writes a version the way another Vault client would ({@code vault kv put}). */
  void putExternally(String path, JsonNode data) {
    synchronized (lock) {
      Secret s = secrets.computeIfAbsent(path, p -> newSecret());
      addVersion(s, data);
    }
  }

  /** Soft-deletes one version the way {@code vault kv delete -versions=N} does. */
  void softDelete(String path, long version) {
    synchronized (lock) {
      secrets.get(path).versions.get(version).deletion = clock.instant();
    }
  }

  /** Replaces a secret's custom_metadata, creating a version-less entry when absent (like a metadata write). */
  void setCustomMetadata(String path, Map<String, String> customMetadata) {
    synchronized (lock) {
      secrets.computeIfAbsent(path, p -> newSecret()).customMetadata = new LinkedHashMap<>(customMetadata);
    }
  }

  /** The custom_metadata of a secret, or null. */
  Map<String, String> customMetadata(String path) {
    synchronized (lock) {
      Secret s = secrets.get(path);
      return s == null || s.customMetadata == null ? null : Map.copyOf(s.customMetadata);
    }
  }

  /** The raw data of one version. */
  JsonNode data(String path, long version) {
    synchronized (lock) {
      return secrets.get(path).versions.get(version).data.deepCopy();
    }
  }

  /** Every stored secret path. */
  Set<String> paths() {
    synchronized (lock) {
      return Set.copyOf(secrets.keySet());
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------------------------

  private record Response(int status, JsonNode body) {}

  private void handle(HttpExchange exchange) throws IOException {
    Response response;
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String rawPath = exchange.getRequestURI().getRawPath();
      String rawQuery = exchange.getRequestURI().getRawQuery();
      String ns = exchange.getRequestHeaders().getFirst("X-Vault-Namespace");
      String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
      requests.add(new Request(exchange.getRequestMethod(), rawPath, rawQuery, ns, token != null,
          new String(body, StandardCharsets.UTF_8)));
      response = route(exchange.getRequestMethod(), rawPath, rawQuery, ns, token, body);
    } catch (BadRequest e) {
      response = new Response(e.status, e.getMessage().isEmpty() ? emptyErrors() : errors(e.getMessage()));
    } catch (RuntimeException e) {
      response = new Response(500, errors("fake vault failure: " + e));
    }
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (response.body() == null) {
      exchange.sendResponseHeaders(response.status(), -1);
    } else {
      byte[] bytes = json.writeValueAsBytes(response.body());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(response.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  /** A request the fake refuses, with Vault's status and error text. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private Response route(String method, String rawPath, String rawQuery, String ns, String token, byte[] body) {
    if (!rawPath.startsWith("/v1/")) {
      return new Response(404, emptyErrors());
    }
    String path = rawPath.substring(4);
    Map<String, String> query = parseQuery(rawQuery);
    if (path.equals("sys/health")) {
      return health(method, query);
    }
    CountDownLatch h = hang;
    if (h != null) {
      try {
        h.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      Fault fault = faults.poll();
      if (fault != null) {
        try {
          return new Response(fault.status(), fault.body() == null ? null : json.readTree(fault.body()));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      if (sealed) {
        return new Response(503, errors("Vault is sealed"));
      }
      if (namespace != null && !namespace.equals(ns)) {
        return new Response(403, errors(PERMISSION_DENIED));
      }
      if (path.contains("//") || path.contains("%") || List.of(path.split("/")).contains("..")
          || List.of(path.split("/")).contains(".")) {
        throw new BadRequest(400, "fake vault: unexpected characters or steps in path");
      }
      String op = operation(method, query);
      if (path.startsWith("auth/") && path.endsWith("/login")) {
        if (!op.equals("update")) {
          return new Response(405, emptyErrors());
        }
        String authMount = path.substring("auth/".length(), path.length() - "/login".length());
        if (authMount.equals(approleMount) && !appRoles.isEmpty()) {
          return approleLogin(object(body));
        }
        if (authMount.equals(kubernetesMount) && !kubernetesRoles.isEmpty()) {
          return kubernetesLogin(object(body));
        }
        return new Response(403, errors(PERMISSION_DENIED));
      }
      IssuedToken issued = token == null ? null : tokens.get(token);
      if (issued == null || (issued.expiresAt() != null && !clock.instant().isBefore(issued.expiresAt()))) {
        return new Response(403, errors(PERMISSION_DENIED));
      }
      if (!issued.policy().test(op, path)) {
        return new Response(403, errors("1 error occurred:\n\t* permission denied\n\n"));
      }
      if (path.equals("auth/token/revoke-self")) {
        if (!op.equals("update")) {
          return new Response(405, emptyErrors());
        }
        tokens.remove(token);
        return new Response(204, null);
      }
      if (!path.startsWith(mount + "/")) {
        return new Response(404, errors("no handler for route \"" + path + "\". route entry not found."));
      }
      String rest = path.substring(mount.length() + 1);
      if (rest.startsWith("data/")) {
        return data(op, rest.substring("data/".length()), query, body);
      }
      if (rest.equals("metadata") || rest.startsWith("metadata/")) {
        return metadata(op, rest.equals("metadata") ? "" : rest.substring("metadata/".length()), query, body);
      }
      for (String verb : List.of("delete", "undelete", "destroy")) {
        if (rest.startsWith(verb + "/")) {
          return versions(verb, op, rest.substring(verb.length() + 1), query, body);
        }
      }
      return new Response(404, errors("Invalid path for a versioned K/V secrets engine. See the API docs for the "
          + "appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."));
    }
  }

  private static String operation(String method, Map<String, String> query) {
    return switch (method) {
      case "GET" -> "true".equals(query.get("list")) ? "list" : "read";
      case "LIST" -> "list";
      case "POST", "PUT" -> "update";
      case "DELETE" -> "delete";
      case "PATCH" -> "patch";
      default -> throw new BadRequest(405, "");
    };
  }

  private Response health(String method, Map<String, String> query) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return new Response(405, emptyErrors());
    }
    allowOnly(query, Set.of("standbyok", "perfstandbyok", "activecode", "standbycode", "sealedcode",
        "uninitcode"));
    synchronized (lock) {
      ObjectNode body = json.createObjectNode()
          .put("initialized", true).put("sealed", sealed).put("standby", sealed)
          .put("performance_standby", false).put("replication_performance_mode", "disabled")
          .put("replication_dr_mode", "disabled").put("server_time_utc", clock.instant().getEpochSecond())
          .put("version", "1.17.0+fake").put("cluster_name", "fake-vault").put("cluster_id", "fake");
      return new Response(sealed ? 503 : 200, method.equals("HEAD") ? null : body);
    }
  }

  // ---- auth -------------------------------------------------------------------------------------------------

  private Response approleLogin(ObjectNode body) {
    allowOnly(body, Set.of("role_id", "secret_id"));
    String roleId = body.path("role_id").asText("");
    if (roleId.isEmpty()) {
      throw new BadRequest(400, "missing role_id");
    }
    String expected = appRoles.get(roleId);
    if (expected == null || !expected.equals(body.path("secret_id").asText(""))) {
      throw new BadRequest(400, "invalid role or secret ID");
    }
    return issueToken("approle");
  }

  private Response kubernetesLogin(ObjectNode body) {
    allowOnly(body, Set.of("role", "jwt"));
    String role = body.path("role").asText("");
    if (role.isEmpty()) {
      throw new BadRequest(400, "missing role");
    }
    String jwt = body.path("jwt").asText("");
    if (jwt.isEmpty()) {
      throw new BadRequest(400, "missing jwt");
    }
    String expected = kubernetesRoles.get(role);
    if (expected == null) {
      throw new BadRequest(400, "invalid role name \"" + role + "\"");
    }
    if (!expected.equals(jwt)) {
      return new Response(403, errors(PERMISSION_DENIED));
    }
    return issueToken("kubernetes");
  }

  private Response issueToken(String method) {
    String token = "hvs.fake" + UUID.randomUUID().toString().replace("-", "");
    tokens.put(token, new IssuedToken(clock.instant().plus(loginTtl), (m, p) -> true));
    logins++;
    ObjectNode auth = json.createObjectNode();
    auth.put("client_token", token);
    auth.put("accessor", UUID.randomUUID().toString());
    auth.putArray("policies").add("default").add("broker");
    auth.putArray("token_policies").add("default").add("broker");
    auth.putObject("metadata").put("auth_method", method);
    auth.put("lease_duration", loginTtl.getSeconds());
    auth.put("renewable", true);
    auth.put("entity_id", UUID.randomUUID().toString());
    auth.put("token_type", "service");
    auth.put("orphan", true);
    auth.set("mfa_requirement", NullNode.getInstance());
    auth.put("num_uses", 0);
    ObjectNode envelope = envelope(NullNode.getInstance());
    envelope.set("auth", auth);
    return new Response(200, envelope);
  }

  // ---- KV v2: data ------------------------------------------------------------------------------------------

  private Response data(String op, String path, Map<String, String> query, byte[] body) {
    if (path.isEmpty() || path.endsWith("/")) {
      return new Response(404, errors("1 error occurred:\n\t* unsupported path\n\n"));
    }
    switch (op) {
      case "read" -> {
        allowOnly(query, Set.of("version"));
        long wanted = query.containsKey("version") ? integer("version", query.get("version")) : 0;
        Secret s = secrets.get(path);
        if (s == null) {
          return new Response(404, emptyErrors());
        }
        long number = wanted > 0 ? wanted : s.currentVersion;
        Version v = s.versions.get(number);
        if (v == null) {
          return new Response(404, emptyErrors());
        }
        ObjectNode payload = json.createObjectNode();
        ObjectNode meta = versionMetadata(s, number, v);
        if (isDeleted(v) || v.destroyed) {
          payload.set("data", NullNode.getInstance());
          payload.set("metadata", meta);
          return new Response(404, envelope(payload));
        }
        payload.set("data", v.data.deepCopy());
        payload.set("metadata", meta);
        return new Response(200, envelope(payload));
      }
      case "update" -> {
        allowOnly(query, Set.of());
        ObjectNode request = object(body);
        allowOnly(request, Set.of("data", "options"));
        JsonNode data = request.get("data");
        if (data == null || data.isNull()) {
          throw new BadRequest(400, "no data provided");
        }
        if (!data.isObject()) {
          throw new BadRequest(400, "1 error occurred:\n\t* error converting input for field \"data\"\n\n");
        }
        Secret existing = secrets.get(path);
        long current = existing == null ? 0 : existing.currentVersion;
        JsonNode options = request.get("options");
        if (options != null && !options.isNull()) {
          if (!options.isObject()) {
            throw new BadRequest(400, "1 error occurred:\n\t* error converting input for field \"options\"\n\n");
          }
          allowOnly((ObjectNode) options, Set.of("cas"));
          JsonNode cas = options.get("cas");
          if (cas != null) {
            if (!cas.isIntegralNumber() || cas.asLong() < 0) {
              throw new BadRequest(400, "error parsing check-and-set parameter");
            }
            if (cas.asLong() != current) {
              throw new BadRequest(400, CAS_MISMATCH);
            }
          } else if (existing != null && existing.casRequired) {
            throw new BadRequest(400, "check-and-set parameter required for this call");
          }
        } else if (existing != null && existing.casRequired) {
          throw new BadRequest(400, "check-and-set parameter required for this call");
        }
        Secret s = existing != null ? existing : newSecret();
        secrets.put(path, s);
        long number = addVersion(s, data.deepCopy());
        ObjectNode payload = versionMetadata(s, number, s.versions.get(number));
        return new Response(200, envelope(payload));
      }
      case "delete" -> {
        allowOnly(query, Set.of());
        Secret s = secrets.get(path);
        if (s != null && s.versions.containsKey(s.currentVersion)) {
          s.versions.get(s.currentVersion).deletion = clock.instant();
        }
        return new Response(204, null);
      }
      default -> {
        return new Response(405, emptyErrors());
      }
    }
  }

  private Secret newSecret() {
    Secret s = new Secret();
    s.created = clock.instant();
    s.updated = s.created;
    return s;
  }

  private long addVersion(Secret s, JsonNode data) {
    Version v = new Version();
    v.data = data;
    v.created = clock.instant();
    s.currentVersion++;
    s.versions.put(s.currentVersion, v);
    s.updated = v.created;
    if (s.oldestVersion == 0) {
      s.oldestVersion = s.currentVersion;
    }
    while (s.maxVersions > 0 && s.versions.size() > s.maxVersions) {
      s.versions.pollFirstEntry();
      s.oldestVersion = s.versions.firstKey();
    }
    return s.currentVersion;
  }

  private ObjectNode versionMetadata(Secret s, long number, Version v) {
    ObjectNode meta = json.createObjectNode();
    meta.put("created_time", v.created.toString());
    meta.set("custom_metadata", customMetadataNode(s));
    meta.put("deletion_time", v.deletion == null ? "" : v.deletion.toString());
    meta.put("destroyed", v.destroyed);
    meta.put("version", number);
    return meta;
  }

  private boolean isDeleted(Version v) {
    return v.deletion != null && !v.deletion.isAfter(clock.instant());
  }

  // ---- KV v2: metadata --------------------------------------------------------------------------------------

  private Response metadata(String op, String path, Map<String, String> query, byte[] body) {
    switch (op) {
      case "list" -> {
        allowOnly(query, Set.of("list"));
        if (!path.isEmpty() && !path.endsWith("/")) {
          throw new BadRequest(400, "fake vault: list a folder with a trailing slash");
        }
        TreeSet<String> keys = new TreeSet<>();
        for (String p : secrets.keySet()) {
          if (p.startsWith(path)) {
            String rest = p.substring(path.length());
            int slash = rest.indexOf('/');
            keys.add(slash < 0 ? rest : rest.substring(0, slash + 1));
          }
        }
        if (keys.isEmpty()) {
          return new Response(404, emptyErrors());
        }
        ObjectNode payload = json.createObjectNode();
        ArrayNode array = payload.putArray("keys");
        keys.forEach(array::add);
        return new Response(200, envelope(payload));
      }
      case "read" -> {
        allowOnly(query, Set.of());
        Secret s = secrets.get(path);
        if (s == null) {
          return new Response(404, emptyErrors());
        }
        ObjectNode payload = json.createObjectNode();
        payload.put("cas_required", s.casRequired);
        payload.put("created_time", s.created.toString());
        payload.put("current_version", s.currentVersion);
        payload.set("custom_metadata", customMetadataNode(s));
        payload.put("delete_version_after", "0s");
        payload.put("max_versions", s.maxVersions);
        payload.put("oldest_version", s.oldestVersion);
        payload.put("updated_time", s.updated.toString());
        ObjectNode versions = payload.putObject("versions");
        s.versions.forEach((n, v) -> versions.putObject(Long.toString(n))
            .put("created_time", v.created.toString())
            .put("deletion_time", v.deletion == null ? "" : v.deletion.toString())
            .put("destroyed", v.destroyed));
        return new Response(200, envelope(payload));
      }
      case "update" -> {
        allowOnly(query, Set.of());
        if (path.isEmpty()) {
          throw new BadRequest(400, "missing path");
        }
        ObjectNode request = object(body);
        allowOnly(request, Set.of("max_versions", "cas_required", "delete_version_after", "custom_metadata"));
        Map<String, String> custom = null;
        JsonNode cm = request.get("custom_metadata");
        if (cm != null) {
          custom = validCustomMetadata(cm);
        }
        JsonNode max = request.get("max_versions");
        if (max != null && (!max.isIntegralNumber() || max.asInt() < 0)) {
          throw new BadRequest(400, "1 error occurred:\n\t* error converting input for field \"max_versions\"\n\n");
        }
        JsonNode casRequired = request.get("cas_required");
        if (casRequired != null && !casRequired.isBoolean()) {
          throw new BadRequest(400, "1 error occurred:\n\t* error converting input for field \"cas_required\"\n\n");
        }
        if (request.isEmpty()) {
          return new Response(204, null);
        }
        Secret s = secrets.computeIfAbsent(path, p -> newSecret());
        if (max != null) {
          s.maxVersions = max.asInt();
        }
        if (casRequired != null) {
          s.casRequired = casRequired.asBoolean();
        }
        if (custom != null) {
          s.customMetadata = custom;
        }
        return new Response(204, null);
      }
      case "delete" -> {
        allowOnly(query, Set.of());
        secrets.remove(path);
        return new Response(204, null);
      }
      default -> {
        return new Response(405, emptyErrors());
      }
    }
  }

  private Map<String, String> validCustomMetadata(JsonNode cm) {
    if (!cm.isObject()) {
      throw new BadRequest(400, "custom_metadata validation failed: expected a map");
    }
    if (cm.size() > 64) {
      throw new BadRequest(400, "custom_metadata validation failed: payload must contain at most 64 keys, "
          + "provided " + cm.size());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : cm.properties()) {
      if (!e.getValue().isTextual()) {
        throw new BadRequest(400, "custom_metadata validation failed: value for key \"" + e.getKey()
            + "\" is not a string");
      }
      String key = e.getKey();
      String value = e.getValue().asText();
      int keyLen = key.getBytes(StandardCharsets.UTF_8).length;
      int valueLen = value.getBytes(StandardCharsets.UTF_8).length;
      if (keyLen == 0 || keyLen > 128) {
        throw new BadRequest(400, "custom_metadata validation failed: length of key \"" + key + "\" is " + keyLen
            + " but must be 0 < len(key) <= 128");
      }
      if (valueLen == 0 || valueLen > 512) {
        throw new BadRequest(400, "custom_metadata validation failed: length of value for key \"" + key + "\" is "
            + valueLen + " but must be 0 < len(value) <= 512");
      }
      if (!printable(key) || !printable(value)) {
        throw new BadRequest(400, "custom_metadata validation failed: key \"" + key
            + "\" or its value contains unprintable characters");
      }
      out.put(key, value);
    }
    return out;
  }

  private static boolean printable(String s) {
    return s.codePoints().noneMatch(c -> Character.isISOControl(c) || !Character.isDefined(c));
  }

  private JsonNode customMetadataNode(Secret s) {
    if (s.customMetadata == null) {
      return NullNode.getInstance();
    }
    ObjectNode node = json.createObjectNode();
    s.customMetadata.forEach(node::put);
    return node;
  }

  // ---- KV v2: delete / undelete / destroy versions ----------------------------------------------------------

  private Response versions(String verb, String op, String path, Map<String, String> query, byte[] body) {
    if (!op.equals("update")) {
      return new Response(405, emptyErrors());
    }
    allowOnly(query, Set.of());
    ObjectNode request = object(body);
    allowOnly(request, Set.of("versions"));
    JsonNode list = request.get("versions");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new BadRequest(400, "no version number provided");
    }
    Secret s = secrets.get(path);
    if (s == null) {
      return new Response(204, null);
    }
    for (JsonNode n : list) {
      if (!n.isIntegralNumber()) {
        throw new BadRequest(400, "1 error occurred:\n\t* error converting input for field \"versions\"\n\n");
      }
      Version v = s.versions.get(n.asLong());
      if (v == null) {
        continue;
      }
      switch (verb) {
        case "delete" -> v.deletion = v.deletion == null ? clock.instant() : v.deletion;
        case "undelete" -> v.deletion = v.destroyed ? v.deletion : null;
        default -> v.destroyed = true;
      }
    }
    return new Response(204, null);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private ObjectNode envelope(JsonNode data) {
    ObjectNode env = json.createObjectNode();
    env.put("request_id", UUID.randomUUID().toString());
    env.put("lease_id", "");
    env.put("renewable", false);
    env.put("lease_duration", 0);
    env.set("data", data);
    env.set("wrap_info", NullNode.getInstance());
    env.set("warnings", NullNode.getInstance());
    env.set("auth", NullNode.getInstance());
    env.put("mount_type", "kv");
    return env;
  }

  private ObjectNode errors(String message) {
    ObjectNode body = json.createObjectNode();
    body.putArray("errors").add(message);
    return body;
  }

  private ObjectNode emptyErrors() {
    ObjectNode body = json.createObjectNode();
    body.putArray("errors");
    return body;
  }

  private ObjectNode object(byte[] body) {
    if (body.length == 0) {
      return json.createObjectNode();
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw new BadRequest(400, "failed to parse JSON input: invalid character");
    }
    if (node == null || !node.isObject()) {
      throw new BadRequest(400, "failed to parse JSON input: expected a JSON object");
    }
    return (ObjectNode) node;
  }

  private static void allowOnly(ObjectNode body, Set<String> allowed) {
    body.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        throw new BadRequest(400, "fake vault: unknown field \"" + f + "\" (Vault would ignore it with a warning)");
      }
    });
  }

  private static void allowOnly(Map<String, String> query, Set<String> allowed) {
    for (String k : query.keySet()) {
      if (!allowed.contains(k) && !k.equals("list")) {
        throw new BadRequest(400, "fake vault: unknown query parameter \"" + k + "\"");
      }
    }
  }

  private static long integer(String field, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new BadRequest(400, "1 error occurred:\n\t* error converting input " + text + " for field \"" + field
          + "\": cannot parse '' as int: strconv.ParseInt: parsing \"" + text + "\": invalid syntax\n\n");
    }
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.put(k, v) != null) {
        throw new BadRequest(400, "fake vault: repeated query parameter \"" + k + "\"");
      }
    }
    return out;
  }

  /** The names of the recorded requests, as "METHOD /v1/path?query" (for assertions). */
  List<String> requestLines() {
    List<String> out = new ArrayList<>();
    for (Request r : requests) {
      out.add(r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query()));
    }
    return out;
  }
}
