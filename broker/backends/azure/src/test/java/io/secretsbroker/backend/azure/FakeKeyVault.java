package io.secretsbroker.backend.azure;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.json.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A strict fake of the Key Vault secrets REST API (api-version 7.5 and 7.6) over HTTPS on 127.0.0.1.
 *
 * <p>It answers as Key Vault does: a request without a bearer token gets 401 with Key Vault's
 * {@code WWW-Authenticate} challenge; a wrong token gets 401; a missing or unknown {@code api-version}, an unknown
 * query parameter, a name outside {@code [0-9a-zA-Z-]{1,127}}, a body that is not the documented JSON, more than 15
 * tags or a value over 25 KB get 400; names compare without regard to case; versions list in the order of their
 * ids (not by time) in pages of at most 25 with a {@code nextLink}; deletes are soft (the name stays taken until
 * purged). Errors carry Key Vault's body, {@code {"error":{"code":...,"message":...}}}.
 *
 * <p>Every request the real service would reject as malformed is also recorded in {@link #violations()}, so a
 * test can assert the client never sent one. Tests may inject failures ({@link #failNext}), refuse purges,
 * delay soft deletes, and stop and restart the server on the same port with its data kept.
 *
 * <p>Thread-safe.
 */
final class FakeKeyVault implements AutoCloseable {
  /** The only token accepted. */
  static final String TOKEN = "fake-access-token";
  /** The tenant named in the challenge. */
  static final String TENANT = "00000000-0000-4000-8000-00000000f00d";
  static final String CHALLENGE = "Bearer authorization=\"https://login.windows.net/" + TENANT
      + "\", resource=\"https://vault.azure.net\"";
  static final Set<String> API_VERSIONS = Set.of("7.5", "7.6");
  static final int MAX_VALUE_BYTES = 25 * 1024;
  static final int MAX_TAGS = 15;
  static final int MAX_PAGE = 25;
  private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9a-f]{32}");
  private static final Set<String> QUERY_KEYS = Set.of("api-version", "maxresults", "$skiptoken");

  static {
    // The JDK server writes headers and body apart; without TCP_NODELAY each answer waits out a delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final SSLContext tls;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Secret> secrets = new HashMap<>();
  private final Map<String, Deleted> deleted = new HashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<String> violations = new ArrayList<>();
  private final List<String> requests = new ArrayList<>();
  private final Set<String> apiVersions = new LinkedHashSet<>();
  private int challenges;
  private volatile long stallNextMillis;
  private boolean purgeAllowed = true;
  private int deleteLatencyPolls;
  private int port;
  private HttpsServer server;
  private ExecutorService executor;

  private static final class Secret {
    final String name;
    final List<Version> versions = new ArrayList<>();

    Secret(String name) {
      this.name = name;
    }

    Version latest() {
      return versions.get(versions.size() - 1);
    }
  }

  private static final class Version {
    final String id;
    final String value;
    final long created;
    String contentType;
    Map<String, String> tags;
    boolean enabled = true;
    Long notBefore;
    Long expires;
    long updated;

    Version(String id, String value, long created) {
      this.id = id;
      this.value = value;
      this.created = created;
      this.updated = created;
    }
  }

  private static final class Deleted {
    final Secret secret;
    final long deletedDate;
    int pollsUntilVisible;

    Deleted(Secret secret, long deletedDate, int pollsUntilVisible) {
      this.secret = secret;
      this.deletedDate = deletedDate;
      this.pollsUntilVisible = pollsUntilVisible;
    }
  }

  private record Fault(int status, String code, String innerCode) {}

  /** A failure sent instead of an answer. */
  private static final class Reply extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final String message;
    final String innerCode;
    final boolean injected;

    Reply(int status, String code, String message, String innerCode) {
      this(status, code, message, innerCode, false);
    }

    Reply(int status, String code, String message, String innerCode, boolean injected) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.message = message;
      this.innerCode = innerCode;
      this.injected = injected;
    }
  }

  FakeKeyVault(SSLContext tls) {
    this.tls = tls;
  }

  /** Starts on a free port. */
  FakeKeyVault start() throws IOException {
    return startOn(0);
  }

  /** Starts again on the port it had, keeping every secret. */
  FakeKeyVault restart() throws IOException {
    return startOn(port);
  }

  private synchronized FakeKeyVault startOn(int wanted) throws IOException {
    if (server != null) {
      throw new IllegalStateException("already running");
    }
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 64);
    s.setHttpsConfigurator(new HttpsConfigurator(tls));
    executor = Executors.newFixedThreadPool(4);
    s.setExecutor(executor);
    s.createContext("/", this::handle);
    s.start();
    server = s;
    port = s.getAddress().getPort();
    return this;
  }

  /** Stops at once, closing every connection; the data stays for {@link #restart()}. */
  synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** {@code https://127.0.0.1:<port>}. */
  synchronized String url() {
    return "https://127.0.0.1:" + port;
  }

  // ---- knobs and observations -----------------------------------------------------------------------

  /** Makes the next authenticated request fail with {@code status} and Key Vault error {@code code}. */
  synchronized void failNext(int status, String code, String innerCode) {
    faults.add(new Fault(status, code, innerCode));
  }

  /** Makes the next request wait {@code millis} before it is answered (a slow or hung server). */
  void stallNext(long millis) {
    stallNextMillis = millis;
  }

  /** Whether purging deleted secrets is allowed (a vault with purge protection, or no purge permission: not). */
  synchronized void allowPurge(boolean allowed) {
    purgeAllowed = allowed;
  }

  /** How many times a just-deleted secret is still reported missing from the deleted secrets. */
  synchronized void deleteLatency(int polls) {
    deleteLatencyPolls = polls;
  }

  /** Requests that the real service would reject as malformed, as "METHOD path: reason". */
  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  /** Every authenticated request, as "METHOD path". */
  synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  synchronized void clearRequests() {
    requests.clear();
  }

  /** The api-version values clients sent. */
  synchronized Set<String> apiVersionsSeen() {
    return Set.copyOf(apiVersions);
  }

  /** How many 401 challenges were sent to requests without a token. */
  synchronized int challengesSent() {
    return challenges;
  }

  /** The names of secrets in the vault (not deleted), as stored. */
  synchronized List<String> names() {
    return secrets.values().stream().map(s -> s.name).sorted().toList();
  }

  /** Whether a soft-deleted secret holds {@code name}. */
  synchronized boolean isSoftDeleted(String name) {
    return deleted.containsKey(key(name));
  }

  /** The stored value and content type of the latest version of {@code name}, for assertions. */
  synchronized Map<String, String> latest(String name) {
    Secret s = secrets.get(key(name));
    if (s == null) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    out.put("value", s.latest().value);
    if (s.latest().contentType != null) {
      out.put("contentType", s.latest().contentType);
    }
    return out;
  }

  /** Tags of every version of {@code name}, by version id. */
  synchronized Map<String, Map<String, String>> tags(String name) {
    Secret s = secrets.get(key(name));
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (s != null) {
      for (Version v : s.versions) {
        out.put(v.id, v.tags == null ? Map.of() : Map.copyOf(v.tags));
      }
    }
    return out;
  }

  /** Adds a version as some other Key Vault client would (no broker tags). */
  synchronized String putForeign(String name, String value) {
    Secret s = secrets.computeIfAbsent(key(name), k -> new Secret(name));
    Version v = new Version(newVersionId(), value, now());
    s.versions.add(v);
    return v.id;
  }

  // ---- HTTP -----------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = readAll(exchange.getRequestBody());
      long stall = stallNextMillis;
      if (stall > 0) {
        stallNextMillis = 0;
        try {
          Thread.sleep(stall);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      String method = exchange.getRequestMethod();
      String rawPath = exchange.getRequestURI().getRawPath();
      Map<String, String> query;
      String response;
      int status;
      try {
        query = parseQuery(exchange.getRequestURI().getRawQuery());
        synchronized (this) {
          if (!authorized(exchange)) {
            return;
          }
          requests.add(method + " " + rawPath);
          checkApiVersion(query);
          Fault fault = faults.poll();
          if (fault != null) {
            throw new Reply(fault.status(), fault.code(), "injected failure", fault.innerCode(), true);
          }
          status = 200;
          response = route(exchange, method, rawPath, query, body);
          if (response == null) {
            status = 204;
          }
        }
      } catch (Reply r) {
        synchronized (this) {
          if (!r.injected && (r.status == 400 || r.status == 405)) {
            violations.add(method + " " + rawPath + ": " + r.message);
          }
        }
        sendError(exchange, r);
        return;
      }
      send(exchange, status, response);
    } catch (RuntimeException e) {
      synchronized (this) {
        violations.add("fake failed: " + e);
      }
      throw e;
    }
  }

  /** Checks the bearer token; answers 401 with the challenge and returns false when it is missing or wrong. */
  private boolean authorized(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.equals("Bearer " + TOKEN)) {
      return true;
    }
    exchange.getResponseHeaders().add("WWW-Authenticate", CHALLENGE);
    if (auth == null) {
      challenges++;
      sendError(exchange, new Reply(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
          null));
    } else {
      sendError(exchange, new Reply(401, "Unauthorized", "AKV10032: Invalid issuer or token.", null));
    }
    return false;
  }

  private void checkApiVersion(Map<String, String> query) throws Reply {
    for (String k : query.keySet()) {
      if (!QUERY_KEYS.contains(k)) {
        throw badParameter("The query parameter '" + k + "' is not supported");
      }
    }
    String version = query.get("api-version");
    if (version == null) {
      throw badParameter("The 'api-version' query parameter is missing");
    }
    if (!API_VERSIONS.contains(version)) {
      throw badParameter("The specified version (" + version + ") is not recognized");
    }
    apiVersions.add(version);
  }

  private String route(HttpExchange exchange, String method, String rawPath, Map<String, String> query, byte[] body)
      throws Reply, IOException {
    String[] parts = rawPath.split("/", -1);
    if (parts.length < 2 || !parts[0].isEmpty()) {
      throw notRouted(method, rawPath);
    }
    String collection = parts[1];
    if (collection.equals("secrets") && parts.length == 2) {
      requireMethod(method, "GET");
      requireEmpty(body);
      return listSecrets(rawPath, query);
    }
    if (parts.length < 3) {
      throw notRouted(method, rawPath);
    }
    String name = decode(parts[2]);
    if (!NAME.matcher(name).matches()) {
      throw badParameter("The request URI contains an invalid name: " + name);
    }
    if (collection.equals("secrets") && parts.length == 3) {
      if (method.equals("PUT")) {
        requireJson(exchange);
        return setSecret(name, parseObject(body));
      }
      requireMethod(method, "DELETE");
      requireEmpty(body);
      return deleteSecret(name);
    }
    if (collection.equals("secrets") && parts.length == 4 && parts[3].equals("versions")) {
      requireMethod(method, "GET");
      requireEmpty(body);
      return listVersions(name, rawPath, query);
    }
    if (collection.equals("secrets") && parts.length == 4) {
      String version = decode(parts[3]);
      if (method.equals("PATCH")) {
        requireJson(exchange);
        return updateSecret(name, version, parseObject(body));
      }
      requireMethod(method, "GET");
      requireEmpty(body);
      return getSecret(name, version);
    }
    if (collection.equals("deletedsecrets") && parts.length == 3) {
      requireEmpty(body);
      if (method.equals("DELETE")) {
        return purge(name);
      }
      requireMethod(method, "GET");
      return getDeleted(name);
    }
    throw notRouted(method, rawPath);
  }

  // ---- operations -----------------------------------------------------------------------------------

  private String setSecret(String name, Map<String, Object> body) throws Reply {
    allowOnly(body, Set.of("value", "contentType", "tags", "attributes"));
    if (!(body.get("value") instanceof String value)) {
      throw badParameter("Property 'value' is required and must be a string");
    }
    if (value.getBytes(UTF_8).length > MAX_VALUE_BYTES) {
      throw badParameter("The secret value exceeds the maximum size of " + MAX_VALUE_BYTES + " bytes");
    }
    String contentType = optString(body, "contentType");
    Map<String, String> tags = tags(body);
    Map<String, Object> attributes = attributes(body);
    Deleted gone = deleted.get(key(name));
    if (gone != null) {
      if (gone.pollsUntilVisible > 0) {
        throw new Reply(409, "Conflict", "Secret " + name + " is currently being deleted.", "ObjectIsBeingDeleted");
      }
      throw new Reply(409, "Conflict", "Secret " + name + " is currently in a deleted but recoverable state, and its"
          + " name cannot be reused; in this state, the secret can only be recovered or purged.",
          "ObjectIsDeletedButRecoverable");
    }
    Secret s = secrets.computeIfAbsent(key(name), k -> new Secret(name));
    Version v = new Version(newVersionId(), value, now());
    v.contentType = contentType;
    v.tags = tags;
    applyAttributes(v, attributes);
    s.versions.add(v);
    return bundle(s, v, true);
  }

  private String getSecret(String name, String version) throws Reply {
    Secret s = secrets.get(key(name));
    if (s == null) {
      throw secretNotFound(name);
    }
    Version v = version.isEmpty() ? s.latest() : find(s, version);
    if (v == null) {
      throw secretNotFound(name + "/" + version);
    }
    if (!v.enabled) {
      throw new Reply(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    }
    return bundle(s, v, true);
  }

  private String updateSecret(String name, String version, Map<String, Object> body) throws Reply {
    if (version.isEmpty()) {
      throw badParameter("A secret version is required to update a secret");
    }
    allowOnly(body, Set.of("contentType", "tags", "attributes"));
    Secret s = secrets.get(key(name));
    Version v = s == null ? null : find(s, version);
    if (v == null) {
      throw secretNotFound(name + "/" + version);
    }
    String contentType = optString(body, "contentType");
    Map<String, String> tags = tags(body);
    Map<String, Object> attributes = attributes(body);
    if (body.containsKey("contentType")) {
      v.contentType = contentType;
    }
    if (body.containsKey("tags")) {
      v.tags = tags;
    }
    applyAttributes(v, attributes);
    v.updated = now();
    return bundle(s, v, false);
  }

  private String listVersions(String name, String rawPath, Map<String, String> query) throws Reply {
    Secret s = secrets.get(key(name));
    List<Version> sorted = s == null ? new ArrayList<>() : new ArrayList<>(s.versions);
    sorted.sort(Comparator.comparing(v -> v.id));
    List<String> items = new ArrayList<>();
    for (Version v : sorted) {
      items.add(item(idOf(s, v), v));
    }
    return page(items, rawPath, query);
  }

  private String listSecrets(String rawPath, Map<String, String> query) throws Reply {
    List<Secret> sorted = new ArrayList<>(secrets.values());
    sorted.sort(Comparator.comparing(s -> s.name.toLowerCase(Locale.ROOT)));
    List<String> items = new ArrayList<>();
    for (Secret s : sorted) {
      items.add(item(url() + "/secrets/" + s.name, s.latest()));
    }
    return page(items, rawPath, query);
  }

  private String deleteSecret(String name) throws Reply {
    Secret s = secrets.remove(key(name));
    if (s == null) {
      throw secretNotFound(name);
    }
    Deleted d = new Deleted(s, now(), deleteLatencyPolls);
    deleted.put(key(name), d);
    return deletedBundle(d);
  }

  private String getDeleted(String name) throws Reply {
    Deleted d = deleted.get(key(name));
    if (d == null) {
      throw new Reply(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    if (d.pollsUntilVisible > 0) {
      d.pollsUntilVisible--;
      throw new Reply(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    return deletedBundle(d);
  }

  private String purge(String name) throws Reply {
    Deleted d = deleted.get(key(name));
    if (d == null || d.pollsUntilVisible > 0) {
      throw new Reply(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    if (!purgeAllowed) {
      throw new Reply(403, "Forbidden", "Operation \"purge\" is not allowed on this vault or caller.",
          "ForbiddenByPolicy");
    }
    deleted.remove(key(name));
    return null;
  }

  // ---- JSON shapes ----------------------------------------------------------------------------------

  private String bundle(Secret s, Version v, boolean withValue) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (withValue) {
      out.put("value", v.value);
    }
    if (v.contentType != null) {
      out.put("contentType", v.contentType);
    }
    out.put("id", idOf(s, v));
    out.put("attributes", attributesOf(v));
    if (v.tags != null) {
      out.put("tags", v.tags);
    }
    return json(out);
  }

  private String item(String id, Version v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("attributes", attributesOf(v));
    if (v.tags != null) {
      out.put("tags", v.tags);
    }
    if (v.contentType != null) {
      out.put("contentType", v.contentType);
    }
    return json(out);
  }

  private String deletedBundle(Deleted d) {
    Version v = d.secret.latest();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("recoveryId", url() + "/deletedsecrets/" + d.secret.name);
    out.put("deletedDate", d.deletedDate);
    out.put("scheduledPurgeDate", d.deletedDate + 90L * 86_400);
    if (v.contentType != null) {
      out.put("contentType", v.contentType);
    }
    out.put("id", idOf(d.secret, v));
    out.put("attributes", attributesOf(v));
    if (v.tags != null) {
      out.put("tags", v.tags);
    }
    return json(out);
  }

  private static Map<String, Object> attributesOf(Version v) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("enabled", v.enabled);
    if (v.notBefore != null) {
      a.put("nbf", v.notBefore);
    }
    if (v.expires != null) {
      a.put("exp", v.expires);
    }
    a.put("created", v.created);
    a.put("updated", v.updated);
    a.put("recoveryLevel", "Recoverable+Purgeable");
    a.put("recoverableDays", 90);
    return a;
  }

  private String page(List<String> items, String rawPath, Map<String, String> query) throws Reply {
    int size = MAX_PAGE;
    if (query.containsKey("maxresults")) {
      try {
        size = Integer.parseInt(query.get("maxresults"));
      } catch (NumberFormatException e) {
        throw badParameter("maxresults must be an integer");
      }
      if (size < 1 || size > MAX_PAGE) {
        throw badParameter("maxresults must be between 1 and " + MAX_PAGE);
      }
    }
    int offset = 0;
    if (query.containsKey("$skiptoken")) {
      try {
        offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("$skiptoken")), UTF_8));
      } catch (IllegalArgumentException e) {
        throw badParameter("Invalid skip token");
      }
      if (offset < 0 || offset > items.size()) {
        throw badParameter("Invalid skip token");
      }
    }
    int end = Math.min(items.size(), offset + size);
    StringBuilder out = new StringBuilder("{\"value\":[");
    out.append(String.join(",", items.subList(offset, end)));
    out.append("],\"nextLink\":");
    if (end < items.size()) {
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(end).getBytes(UTF_8));
      out.append('"').append(url()).append(rawPath).append("?api-version=").append(query.get("api-version"))
          .append("&$skiptoken=").append(token).append("&maxresults=").append(size).append('"');
    } else {
      out.append("null");
    }
    return out.append('}').toString();
  }

  private static String json(Map<String, Object> map) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonWriter writer = JsonProviders.createWriter(bytes)) {
      writer.writeUntyped(map);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toString(UTF_8);
  }

  // ---- request checks -------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseObject(byte[] body) throws Reply {
    if (body.length == 0) {
      throw badParameter("The request body is missing");
    }
    try (JsonReader reader = JsonProviders.createReader(body)) {
      if (reader.nextToken() != JsonToken.START_OBJECT) {
        throw badParameter("The request body must be a JSON object");
      }
      Object parsed = reader.readUntyped();
      if (reader.nextToken() != null && reader.currentToken() != JsonToken.END_DOCUMENT) {
        throw badParameter("The request body has content after the JSON object");
      }
      return (Map<String, Object>) parsed;
    } catch (IOException | RuntimeException e) {
      throw badParameter("The request body is not valid JSON");
    }
  }

  private static void allowOnly(Map<String, Object> body, Set<String> allowed) throws Reply {
    for (String k : body.keySet()) {
      if (!allowed.contains(k)) {
        throw badParameter("Unknown property '" + k + "'");
      }
    }
  }

  private static String optString(Map<String, Object> body, String key) throws Reply {
    Object v = body.get(key);
    if (v != null && !(v instanceof String)) {
      throw badParameter("Property '" + key + "' must be a string");
    }
    return (String) v;
  }

  private static Map<String, String> tags(Map<String, Object> body) throws Reply {
    Object raw = body.get("tags");
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Map<?, ?> map)) {
      throw badParameter("Property 'tags' must be an object");
    }
    if (map.size() > MAX_TAGS) {
      throw badParameter("A secret may have at most " + MAX_TAGS + " tags");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String k = (String) e.getKey();
      if (!(e.getValue() instanceof String v)) {
        throw badParameter("Tag values must be strings");
      }
      if (k.isEmpty() || k.length() > 512 || v.length() > 256) {
        throw badParameter("Tag names are 1 to 512 characters and values at most 256");
      }
      tags.put(k, v);
    }
    return tags;
  }

  private static Map<String, Object> attributes(Map<String, Object> body) throws Reply {
    Object raw = body.get("attributes");
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof Map<?, ?> map)) {
      throw badParameter("Property 'attributes' must be an object");
    }
    Map<String, Object> out = new HashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String k = (String) e.getKey();
      Object v = e.getValue();
      switch (k) {
        case "enabled" -> {
          if (!(v instanceof Boolean)) {
            throw badParameter("attributes.enabled must be a boolean");
          }
        }
        case "nbf", "exp" -> {
          if (!(v instanceof Number)) {
            throw badParameter("attributes." + k + " must be a number");
          }
        }
        default -> throw badParameter("attributes." + k + " cannot be set");
      }
      out.put(k, v);
    }
    return out;
  }

  private static void applyAttributes(Version v, Map<String, Object> attributes) {
    if (attributes.get("enabled") instanceof Boolean b) {
      v.enabled = b;
    }
    if (attributes.get("nbf") instanceof Number n) {
      v.notBefore = n.longValue();
    }
    if (attributes.get("exp") instanceof Number n) {
      v.expires = n.longValue();
    }
  }

  private static void requireJson(HttpExchange exchange) throws Reply {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw badParameter("Content-Type must be application/json");
    }
  }

  private static void requireEmpty(byte[] body) throws Reply {
    if (body.length != 0) {
      throw badParameter("This operation takes no request body");
    }
  }

  private static void requireMethod(String method, String expected) throws Reply {
    if (!method.equals(expected)) {
      throw new Reply(405, "MethodNotAllowed", "The method " + method + " is not allowed here", null);
    }
  }

  private static Reply notRouted(String method, String rawPath) {
    return new Reply(400, "BadParameter", "No operation matches " + method + " " + rawPath, null);
  }

  private static Reply badParameter(String message) {
    return new Reply(400, "BadParameter", message, null);
  }

  private static Reply secretNotFound(String nameOrId) {
    return new Reply(404, "SecretNotFound", "A secret with (name/id) " + nameOrId
        + " was not found in this key vault.", null);
  }

  private static Map<String, String> parseQuery(String rawQuery) throws Reply {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (out.put(k, v) != null) {
        throw badParameter("Query parameter '" + k + "' given twice");
      }
    }
    return out;
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), UTF_8);
  }

  private Version find(Secret s, String version) {
    if (!VERSION.matcher(version).matches()) {
      return null;
    }
    for (Version v : s.versions) {
      if (v.id.equals(version)) {
        return v;
      }
    }
    return null;
  }

  private String idOf(Secret s, Version v) {
    return url() + "/secrets/" + s.name + "/" + v.id;
  }

  private String newVersionId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    if (body == null) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = body.getBytes(UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().add("x-ms-keyvault-service-version", "1.9.0.0-fake");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sendError(HttpExchange exchange, Reply r) throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", r.code);
    error.put("message", r.message);
    if (r.innerCode != null) {
      error.put("innererror", Collections.singletonMap("code", r.innerCode));
    }
    send(exchange, r.status, json(Collections.singletonMap("error", error)));
  }
}
