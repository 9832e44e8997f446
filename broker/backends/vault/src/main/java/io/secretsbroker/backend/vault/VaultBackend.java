package io.secretsbroker.backend.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsbroker.backend.vault.KvClient.Reply;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;

/**
 * Secrets in a Vault KV v2 mount. A broker version is a KV version; the stages live in the secret's
 * {@code custom_metadata} as a snapshot (see {@link StageSnapshot}) that every reader rolls forward over the KV
 * versions written after it, using the write intent each version carries (see {@link ValueCodec}). KV's own
 * "latest" is never taken for the broker's current: reads always go by explicit version.
 *
 * <p>Writes are serialised by KV's check-and-set: each write sends {@code cas} = the KV version it read, so of
 * concurrent writers exactly one wins each KV version and the others re-read and try again (or report
 * {@code CONFLICT} when their own check-and-set condition no longer holds). The stage snapshot is then brought up
 * to date; since Vault cannot make that metadata update conditional, a late snapshot can at worst lag behind,
 * which the roll-forward corrects. Thread-safe.
 */
final class VaultBackend implements SecretBackend {
  private static final Logger LOG = LoggerFactory.getLogger(VaultBackend.class);
  /** How many times a write re-reads and retries after losing a check-and-set race to another writer. */
  static final int MAX_WRITE_ATTEMPTS = 32;
  /** How many KV versions a roll-forward reads at most; older ones are assumed to change no stage. */
  static final int MAX_ROLL_FORWARD_READS = 100;
  /** How long a successful call vouches for {@link #healthy()} before a probe is sent. */
  static final Duration HEALTH_FRESHNESS = Duration.ofSeconds(10);
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

  private final VaultConfig config;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final KvClient kv;

  VaultBackend(VaultConfig config, Clock clock, Function<String, String> env) {
    this.config = config;
    this.clock = clock;
    this.kv = new KvClient(config, env, clock, json);
  }

  @Override
  public String kind() {
    return "vault";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.VERSIONING, Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET);
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  @Override
  public SecretVersion read(SecretRef ref) {
    String name = checkName(ref.name());
    KvMetadata meta = metadata(name, "reading secret '" + name + "'");
    if (meta == null) {
      throw BackendException.notFound(name);
    }
    if (liveVersions(meta).isEmpty()) {
      throw BackendException.notFound(name);
    }
    Map<Long, VersionData> known = new HashMap<>();
    Resolved resolved = resolve(name, meta, known);
    long version = ref.version() != null ? parseVersion(ref.version()) : resolved.stages().holder(ref.stage());
    if (version == 0 || !isLive(meta, version)) {
      throw BackendException.notFound(ref);
    }
    VersionData data = known.containsKey(version) ? known.get(version) : readVersion(name, version);
    if (data == null) {
      throw BackendException.notFound(ref);
    }
    return new SecretVersion(name,
        new VersionInfo(Long.toString(version), resolved.stages().of(version), data.created()),
        SecretValue.wrap(data.value()));
  }

  @Override
  public SecretMetadata describe(String name) {
    checkName(name);
    KvMetadata meta = metadata(name, "describing secret '" + name + "'");
    if (meta == null) {
      throw BackendException.notFound(name);
    }
    List<Long> live = liveVersions(meta);
    if (live.isEmpty()) {
      throw BackendException.notFound(name);
    }
    Stages stages = resolve(name, meta, new HashMap<>()).stages();
    List<VersionInfo> versions = new ArrayList<>();
    for (long v : live) {
      versions.add(new VersionInfo(Long.toString(v), stages.of(v), meta.versions().get(v).created()));
    }
    Instant created = createdAt(meta, live);
    Instant updated = meta.versions().get(live.get(live.size() - 1)).created();
    return new SecretMetadata(name, versions, created.isAfter(updated) ? updated : created, updated);
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    String after = decodePageToken(prefix, page.token());
    List<SecretSummary> found = new ArrayList<>();
    int lastSlash = prefix.lastIndexOf('/');
    String startFolder = lastSlash < 0 ? "" : prefix.substring(0, lastSlash + 1);
    if (lastSlash >= 0 && !isStorableName(prefix.substring(0, lastSlash))) {
      return new Page<>(List.of(), ""); // no name this backend stores can start with it
    }
    walk(startFolder, prefix, after, name -> {
      SecretSummary summary = summarize(name);
      if (summary != null) {
        found.add(summary);
      }
      return found.size() <= page.size();
    });
    if (found.size() > page.size()) {
      List<SecretSummary> items = found.subList(0, page.size());
      return new Page<>(items, encodePageToken(items.get(items.size() - 1).name()));
    }
    return new Page<>(found, "");
  }

  /** Visits every secret name under {@code folder} matching {@code prefix} and after {@code after}, in order. */
  private boolean walk(String folder, String prefix, String after, Predicate<String> visitor) {
    Reply reply = kv.send(HttpMethod.GET, config.mount() + "/metadata/" + config.pathPrefix() + folder
        + "?list=true", null, "listing folder '" + folder + "'");
    if (reply.absent()) {
      return true;
    }
    if (!reply.ok()) {
      throw kv.failure(reply, "listing folder '" + folder + "'");
    }
    List<String> keys = new ArrayList<>();
    reply.data().path("keys").forEach(k -> keys.add(k.asText()));
    keys.sort(null);
    for (String key : keys) {
      String full = folder + key;
      if (key.endsWith("/")) {
        boolean mayMatch = full.startsWith(prefix) || prefix.startsWith(full);
        boolean allBeforeToken = after != null && full.compareTo(after) < 0 && !after.startsWith(full);
        if (mayMatch && !allBeforeToken && !walk(full, prefix, after, visitor)) {
          return false;
        }
      } else if (full.startsWith(prefix) && (after == null || full.compareTo(after) > 0) && isStorableName(full)
          && !visitor.test(full)) {
        return false;
      }
    }
    return true;
  }

  private SecretSummary summarize(String name) {
    KvMetadata meta = metadata(name, "listing secret '" + name + "'");
    if (meta == null) {
      return null;
    }
    List<Long> live = liveVersions(meta);
    if (live.isEmpty()) {
      return null;
    }
    long current = resolve(name, meta, new HashMap<>()).stages().current();
    Instant updated = meta.versions().get(live.get(live.size() - 1)).created();
    Instant created = createdAt(meta, live);
    return new SecretSummary(name, current != 0 && isLive(meta, current) ? Long.toString(current) : null,
        created.isAfter(updated) ? updated : created, updated);
  }

  // ---- writes -----------------------------------------------------------------------------------------------

  @Override
  public VersionInfo write(WriteRequest request) {
    String name = checkName(request.name());
    if (request.value().size() > config.maxValueBytes()) {
      throw BackendException.invalid("secret '" + name + "' value is " + request.value().size()
          + " bytes, over this mount's limit of " + config.maxValueBytes() + " bytes");
    }
    String action = "writing secret '" + name + "'";
    ObjectNode body = json.createObjectNode();
    body.set("data", ValueCodec.encode(json, request.value().bytes(), request.stage()));
    ObjectNode options = body.putObject("options");
    for (int attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      KvMetadata meta = metadata(name, action);
      Map<Long, VersionData> known = new HashMap<>();
      Resolved before = meta == null ? Resolved.EMPTY : resolve(name, meta, known);
      long current = before.stages().current();
      BackendException.checkExpectedCurrent(request,
          current != 0 && meta != null && isLive(meta, current) ? Long.toString(current) : null);
      options.put("cas", meta == null ? 0 : meta.currentVersion());
      Reply reply = kv.send(HttpMethod.POST, dataPath(name), body, action);
      if (reply.casMismatch()) {
        continue; // another writer took this KV version: re-read, re-check, retry
      }
      if (!reply.ok()) {
        throw kv.failure(reply, action);
      }
      long version = reply.data().path("version").asLong(0);
      if (version <= 0) {
        throw new BackendException(ErrorCode.INTERNAL, "vault: " + action + " failed: no version in the answer");
      }
      Instant created = timeOr(reply.data().path("created_time").asText(""), clock.instant());
      known.put(version, new VersionData(request.value().bytes(), request.stage(), created));
      settle(name, known);
      return new VersionInfo(Long.toString(version), before.stages().afterWrite(version, request.stage())
          .of(version), created);
    }
    throw BackendException.conflict("secret '" + name + "' is being written concurrently; gave up after "
        + MAX_WRITE_ATTEMPTS + " attempts");
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    checkName(name);
    String action = "moving stage " + stage.word() + " of secret '" + name + "'";
    KvMetadata meta = metadata(name, action);
    if (meta == null || liveVersions(meta).isEmpty()) {
      throw BackendException.notFound(name);
    }
    long v = parseVersion(version);
    if (v == 0 || !isLive(meta, v)) {
      throw BackendException.notFound(SecretRef.ofVersion(name, version));
    }
    Resolved resolved = resolve(name, meta, new HashMap<>());
    saveStages(name, meta, resolved, resolved.stages().move(stage, v), action);
  }

  @Override
  public void clearStage(String name, Stage stage) {
    checkName(name);
    String action = "clearing stage " + stage.word() + " of secret '" + name + "'";
    KvMetadata meta = metadata(name, action);
    if (meta == null || liveVersions(meta).isEmpty()) {
      throw BackendException.notFound(name);
    }
    Resolved resolved = resolve(name, meta, new HashMap<>());
    saveStages(name, meta, resolved, resolved.stages().clear(stage), action);
  }

  @Override
  public void delete(String name) {
    checkName(name);
    String action = "deleting secret '" + name + "'";
    if (metadata(name, action) == null) {
      throw BackendException.notFound(name);
    }
    Reply reply = kv.send(HttpMethod.DELETE, metadataPath(name), null, action);
    if (!reply.ok()) {
      throw kv.failure(reply, action);
    }
  }

  /** Brings the stage snapshot up to date with the newest KV version, when a writer has not done so yet. */
  private void settle(String name, Map<Long, VersionData> known) {
    String action = "recording stages of secret '" + name + "'";
    try {
      KvMetadata meta = metadata(name, action);
      if (meta == null) {
        return; // deleted meanwhile
      }
      Resolved resolved = resolve(name, meta, known);
      if (!resolved.upToDate()) {
        saveStages(name, meta, resolved, resolved.stages(), action);
      }
    } catch (BackendException e) {
      // The version is written; the next reader or writer rolls the stages forward from the KV history.
      LOG.warn("vault: {} failed after the write succeeded ({}); readers will roll forward", action, e.code(), e);
    }
  }

  private void saveStages(String name, KvMetadata meta, Resolved resolved, Stages stages, String action) {
    if (resolved.upToDate() && stages.equals(resolved.stages())) {
      return;
    }
    StageSnapshot snapshot = new StageSnapshot(stages, meta.currentVersion(), meta.createdTime());
    ObjectNode body = json.createObjectNode();
    ObjectNode custom = body.putObject("custom_metadata");
    snapshot.mergeInto(meta.customMetadata()).forEach(custom::put);
    Reply reply = kv.send(HttpMethod.POST, metadataPath(name), body, action);
    if (!reply.ok()) {
      throw kv.failure(reply, action);
    }
  }

  // ---- stage resolution -------------------------------------------------------------------------------------

  /** The stages after rolling the snapshot forward, and whether the snapshot was already up to date. */
  private record Resolved(Stages stages, boolean upToDate) {
    static final Resolved EMPTY = new Resolved(Stages.NONE, true);
  }

  /** A KV version's decoded content. */
  private record VersionData(byte[] value, Stage intent, Instant created) {}

  /**
   * The stages as of KV version {@code meta.currentVersion()}: the recorded snapshot (ignored when it belongs to an
   * earlier secret of the same name or is ahead of KV) plus the effect of every live version written after it.
   * Reads those versions' data (at most {@link #MAX_ROLL_FORWARD_READS}), newest first, stopping once the two
   * newest puts and the newest pending write are known; what it reads lands in {@code known}.
   */
  private Resolved resolve(String name, KvMetadata meta, Map<Long, VersionData> known) {
    StageSnapshot snapshot = StageSnapshot.parse(meta.customMetadata());
    boolean valid = snapshot != null && snapshot.epoch().equals(meta.createdTime())
        && snapshot.applied() <= meta.currentVersion();
    Stages base = valid ? snapshot.stages() : Stages.NONE;
    long from = valid ? snapshot.applied() : 0;
    if (valid && from == meta.currentVersion()) {
      return new Resolved(base, true);
    }
    List<Long> puts = new ArrayList<>(2);
    long pending = 0;
    int reads = 0;
    for (long v = meta.currentVersion(); v > from && (puts.size() < 2 || pending == 0); v--) {
      if (!isLive(meta, v)) {
        continue;
      }
      VersionData data = known.get(v);
      if (data == null) {
        if (reads++ >= MAX_ROLL_FORWARD_READS) {
          LOG.warn("vault: secret '{}' has more than {} versions without recorded stages; older ones are ignored",
              name, MAX_ROLL_FORWARD_READS);
          break;
        }
        data = readVersion(name, v);
        if (data == null) {
          continue;
        }
        known.put(v, data);
      }
      if (data.intent() == Stage.PENDING) {
        pending = pending == 0 ? v : pending;
      } else if (puts.size() < 2) {
        puts.add(v);
      }
    }
    Stages stages = base;
    if (puts.size() == 2) {
      stages = new Stages(puts.get(0), puts.get(1), base.pending());
    } else if (puts.size() == 1) {
      stages = base.promote(puts.get(0));
    }
    if (pending != 0) {
      stages = new Stages(stages.current(), stages.previous(), pending);
    }
    return new Resolved(stages, false);
  }

  // ---- Vault calls --------------------------------------------------------------------------------------------

  /** The secret's KV metadata, or null when Vault has none. */
  private KvMetadata metadata(String name, String action) {
    Reply reply = kv.send(HttpMethod.GET, metadataPath(name), null, action);
    if (reply.absent()) {
      return null;
    }
    if (!reply.ok()) {
      throw kv.failure(reply, action);
    }
    try {
      return KvMetadata.parse(reply.data());
    } catch (IllegalArgumentException e) {
      throw new BackendException(ErrorCode.INTERNAL, "vault: " + action + " failed: unreadable metadata", e);
    }
  }

  /** One KV version's content, or null when Vault reports it deleted, destroyed or gone. */
  private VersionData readVersion(String name, long version) {
    String action = "reading version " + version + " of secret '" + name + "'";
    Reply reply = kv.send(HttpMethod.GET, dataPath(name) + "?version=" + version, null, action);
    if (reply.absent()) {
      return null;
    }
    if (!reply.ok()) {
      throw kv.failure(reply, action);
    }
    JsonNode data = reply.data().path("data");
    if (!data.isObject()) {
      return null;
    }
    try {
      ValueCodec.Decoded decoded = ValueCodec.decode(json, data);
      Instant created = timeOr(reply.data().path("metadata").path("created_time").asText(""), clock.instant());
      return new VersionData(decoded.value(), decoded.intent(), created);
    } catch (IllegalArgumentException e) {
      throw new BackendException(ErrorCode.INTERNAL, "vault: " + action + " failed: unreadable value");
    }
  }

  private String dataPath(String name) {
    return config.mount() + "/data/" + config.pathPrefix() + name;
  }

  private String metadataPath(String name) {
    return config.mount() + "/metadata/" + config.pathPrefix() + name;
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private boolean isLive(KvMetadata meta, long version) {
    KvMetadata.KvVersion v = meta.versions().get(version);
    return v != null && v.liveAt(clock.instant());
  }

  private List<Long> liveVersions(KvMetadata meta) {
    List<Long> out = new ArrayList<>();
    meta.versions().keySet().forEach(v -> {
      if (isLive(meta, v)) {
        out.add(v);
      }
    });
    return out;
  }

  private static Instant createdAt(KvMetadata meta, List<Long> live) {
    Instant created = KvMetadata.time(meta.createdTime());
    return created != null ? created : meta.versions().get(live.get(0)).created();
  }

  private static Instant timeOr(String text, Instant fallback) {
    try {
      Instant t = KvMetadata.time(text);
      return t != null ? t : fallback;
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }

  /** A version id this backend issued ("1", "2", ...), or 0 for anything else. */
  static long parseVersion(String version) {
    try {
      long v = Long.parseLong(version);
      return v > 0 && Long.toString(v).equals(version) ? v : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Checks that Vault can hold {@code name} unchanged: the broker's names map to KV paths one to one, except that
   * a {@code .} or {@code ..} segment would be read as a path step.
   *
   * @throws BackendException INVALID_ARGUMENT for a name Vault cannot hold
   */
  static String checkName(String name) {
    if (!isStorableName(name)) {
      throw BackendException.invalid("secret name '" + name + "' cannot be stored in Vault: segments must be "
          + "letters, digits, '.', '_' or '-', and not '.' or '..'");
    }
    return name;
  }

  private static boolean isStorableName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** The page token after {@code name}: the name itself, base64url-encoded. */
  static String encodePageToken(String name) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The last name of the previous page, or null for the first page.
   *
   * @throws BackendException INVALID_ARGUMENT for a token this backend did not issue for {@code prefix}
   */
  static String decodePageToken(String prefix, String token) {
    if (token.isEmpty()) {
      return null;
    }
    String name;
    try {
      name = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BackendException.invalid("page token was not issued by this listing");
    }
    if (!name.startsWith(prefix) || !isStorableName(name) || token.contains("=")) {
      throw BackendException.invalid("page token was not issued by this listing");
    }
    return name;
  }

  @Override
  public boolean healthy() {
    return kv.healthy(HEALTH_FRESHNESS);
  }

  @Override
  public void close() {
    kv.close();
  }

  /** How many logins the backend made (for tests). */
  long logins() {
    return kv.logins();
  }
}
