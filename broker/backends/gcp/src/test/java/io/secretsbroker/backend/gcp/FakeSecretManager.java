package io.secretsbroker.backend.gcp;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.DestroySecretVersionRequest;
import com.google.cloud.secretmanager.v1.DisableSecretVersionRequest;
import com.google.cloud.secretmanager.v1.EnableSecretVersionRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.cloud.secretmanager.v1.UpdateSecretRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A strict in-memory GCP Secret Manager (v1, global secrets of one project) for tests.
 *
 * <p>It rejects what the real API rejects, with the real API's codes: malformed resource names and secret ids
 * ({@code INVALID_ARGUMENT}), another project ({@code PERMISSION_DENIED}), a secret without replication, a payload
 * over 64 KiB or with a wrong CRC32C, labels and annotations that break GCP's rules, an update without a field
 * mask or with a path it cannot update ({@code INVALID_ARGUMENT}), a stale etag ({@code FAILED_PRECONDITION}, as
 * GCP documents for etags), access to a disabled or destroyed version ({@code FAILED_PRECONDITION}), unknown
 * resources ({@code NOT_FOUND}), duplicates ({@code ALREADY_EXISTS}), and page tokens it did not issue.
 *
 * <p>Like GCP it answers resource names with the project <em>number</em>, accepts the id or the number in
 * requests, keeps the secret's etag apart from its versions' (adding a version does not change the secret's etag),
 * and lists versions newest first. It lists secrets in creation order — deliberately not in name order, since the
 * API reference promises none — so a client that relies on an order is caught. A filter it does not understand is
 * {@code INVALID_ARGUMENT}, never silently ignored.
 *
 * <p>Test hooks: {@link #failNext} queues error statuses, {@link #stallUntil} holds calls, {@link #beforeNext}
 * stages a race, {@link #capPageSize} shortens pages, {@link #calls} counts calls per method. The data lives in
 * this object, so a server restarted over it keeps everything. Thread-safe.
 */
final class FakeSecretManager extends SecretManagerServiceGrpc.SecretManagerServiceImplBase {
  /** GCP's payload limit. */
  static final int MAX_PAYLOAD_BYTES = 64 * 1024;
  /** The largest page the real API returns. */
  static final int MAX_PAGE_SIZE = 25_000;

  private static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final Pattern LABEL_KEY = Pattern.compile("[\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{N}_-]{0,63}");
  private static final Pattern ANNOTATION_KEY =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
  private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");
  private static final Pattern FILTER_TERM = Pattern.compile(
      "name:(?:\"([^\"]*)\"|([A-Za-z0-9_-]+))|labels\\.([\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]*)(=|:)"
      + "(?:\"([^\"]*)\"|([\\p{Ll}\\p{Lo}\\p{N}_*-]+))");
  private static final int MAX_ANNOTATION_BYTES = 16 * 1024;
  private static final int MAX_LABELS = 64;
  private static final Set<String> UPDATABLE = Set.of("labels", "annotations");
  private static final Set<String> UPDATABLE_NOT_MODELLED = Set.of("topics", "rotation", "expire_time", "ttl",
      "version_aliases", "version_destroy_ttl", "customer_managed_encryption");

  private final String projectId;
  private final String projectNumber;
  private final Object lock = new Object();
  private final Map<String, StoredSecret> secrets = new LinkedHashMap<>();
  private final AtomicLong etagSequence = new AtomicLong(0x5eed);
  private final AtomicLong ticks = new AtomicLong();
  private final Instant epoch = Instant.parse("2026-01-01T00:00:00Z");
  private final Deque<Status> faults = new ArrayDeque<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Runnable> beforeNext = new ConcurrentHashMap<>();
  private volatile CountDownLatch stall;
  private volatile int pageSizeCap = MAX_PAGE_SIZE;

  /** A fake project known by both {@code projectId} and {@code projectNumber}. */
  FakeSecretManager(String projectId, String projectNumber) {
    this.projectId = projectId;
    this.projectNumber = projectNumber;
  }

  // ---- test hooks -------------------------------------------------------------------------------------

  /** Makes the next {@code count} calls fail with {@code status}, before they touch any data. */
  void failNext(Status status, int count) {
    synchronized (faults) {
      for (int i = 0; i < count; i++) {
        faults.add(status);
      }
    }
  }

  /** Holds every call until {@code gate} opens (at most 30 s); null lets calls through again. */
  void stallUntil(CountDownLatch gate) {
    this.stall = gate;
  }

  /**
   * Runs {@code action} once, just before the next {@code method} call is served (under the fake's lock), to
   * stage a race deterministically: "another writer got there first".
   */
  void beforeNext(String method, Runnable action) {
    beforeNext.put(method, action);
  }

  /** Answers list calls with at most {@code size} items, as the real API may return fewer than asked. */
  void capPageSize(int size) {
    this.pageSizeCap = size;
  }

  /**
   * Sets annotation {@code key} of secret {@code id} as another client's UpdateSecret would, changing its etag.
   */
  void annotate(String id, String key, String value) {
    synchronized (lock) {
      StoredSecret s = find(id);
      s.meta = s.meta.toBuilder().putAnnotations(key, value).setEtag(nextEtag()).build();
    }
  }

  /** How many calls of {@code method} (e.g. {@code "AccessSecretVersion"}) arrived. */
  int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** The ids of every secret, in creation order. */
  List<String> secretIds() {
    synchronized (lock) {
      return List.copyOf(secrets.keySet());
    }
  }

  /** The stored secret {@code id} as GetSecret would answer it, or null. */
  Secret secret(String id) {
    synchronized (lock) {
      StoredSecret s = secrets.get(id);
      return s == null ? null : s.meta;
    }
  }

  // ---- secrets ----------------------------------------------------------------------------------------

  @Override
  public void createSecret(CreateSecretRequest request, StreamObserver<Secret> out) {
    answer("CreateSecret", out, () -> {
      requireProject(request.getParent());
      if (!SECRET_ID.matcher(request.getSecretId()).matches()) {
        throw invalid("secret_id must match [a-zA-Z0-9_-]{1,255}, got '" + request.getSecretId() + "'");
      }
      if (!request.hasSecret()) {
        throw invalid("secret is required");
      }
      Secret in = request.getSecret();
      if (!in.hasReplication() || in.getReplication().getReplicationCase()
          == com.google.cloud.secretmanager.v1.Replication.ReplicationCase.REPLICATION_NOT_SET) {
        throw invalid("secret.replication is required");
      }
      checkLabels(in.getLabelsMap());
      checkAnnotations(in.getAnnotationsMap());
      if (secrets.containsKey(request.getSecretId())) {
        throw Status.ALREADY_EXISTS.withDescription("Secret [" + secretName(request.getSecretId())
            + "] already exists.").asRuntimeException();
      }
      Secret meta = Secret.newBuilder()
          .setName(secretName(request.getSecretId()))
          .setReplication(in.getReplication())
          .setCreateTime(tick())
          .putAllLabels(in.getLabelsMap())
          .putAllAnnotations(in.getAnnotationsMap())
          .setEtag(nextEtag())
          .build();
      secrets.put(request.getSecretId(), new StoredSecret(meta));
      return meta;
    });
  }

  @Override
  public void getSecret(GetSecretRequest request, StreamObserver<Secret> out) {
    answer("GetSecret", out, () -> find(secretIdOf(request.getName())).meta);
  }

  @Override
  public void updateSecret(UpdateSecretRequest request, StreamObserver<Secret> out) {
    answer("UpdateSecret", out, () -> {
      if (!request.hasSecret()) {
        throw invalid("secret is required");
      }
      StoredSecret stored = find(secretIdOf(request.getSecret().getName()));
      if (!request.hasUpdateMask() || request.getUpdateMask().getPathsCount() == 0) {
        throw invalid("update_mask is required");
      }
      for (String path : request.getUpdateMask().getPathsList()) {
        if (UPDATABLE_NOT_MODELLED.contains(path)) {
          throw Status.UNIMPLEMENTED.withDescription("the fake does not model updates of " + path)
              .asRuntimeException();
        }
        if (!UPDATABLE.contains(path)) {
          throw invalid("update_mask path '" + path + "' cannot be updated");
        }
      }
      checkEtag(request.getSecret().getEtag(), stored.meta.getEtag());
      Secret.Builder next = stored.meta.toBuilder();
      if (request.getUpdateMask().getPathsList().contains("labels")) {
        checkLabels(request.getSecret().getLabelsMap());
        next.clearLabels().putAllLabels(request.getSecret().getLabelsMap());
      }
      if (request.getUpdateMask().getPathsList().contains("annotations")) {
        checkAnnotations(request.getSecret().getAnnotationsMap());
        next.clearAnnotations().putAllAnnotations(request.getSecret().getAnnotationsMap());
      }
      stored.meta = next.setEtag(nextEtag()).build();
      return stored.meta;
    });
  }

  @Override
  public void deleteSecret(DeleteSecretRequest request, StreamObserver<Empty> out) {
    answer("DeleteSecret", out, () -> {
      String id = secretIdOf(request.getName());
      StoredSecret stored = find(id);
      checkEtag(request.getEtag(), stored.meta.getEtag());
      secrets.remove(id);
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> out) {
    answer("ListSecrets", out, () -> {
      requireProject(request.getParent());
      Predicate<Secret> filter = parseFilter(request.getFilter());
      List<Secret> matching = new ArrayList<>();
      for (StoredSecret s : secrets.values()) {
        if (filter.test(s.meta)) {
          matching.add(s.meta);
        }
      }
      String scope = "secrets|" + request.getParent() + "|" + request.getFilter();
      int from = pageStart(request.getPageToken(), scope);
      int size = pageSize(request.getPageSize());
      int to = Math.min(matching.size(), from + size);
      return ListSecretsResponse.newBuilder()
          .addAllSecrets(matching.subList(Math.min(from, to), to))
          .setNextPageToken(to < matching.size() ? pageToken(to, scope) : "")
          .setTotalSize(matching.size())
          .build();
    });
  }

  // ---- versions ---------------------------------------------------------------------------------------

  @Override
  public void addSecretVersion(AddSecretVersionRequest request, StreamObserver<SecretVersion> out) {
    answer("AddSecretVersion", out, () -> {
      StoredSecret stored = find(secretIdOf(request.getParent()));
      if (!request.hasPayload()) {
        throw invalid("payload is required");
      }
      SecretPayload payload = request.getPayload();
      if (payload.getData().size() > MAX_PAYLOAD_BYTES) {
        throw invalid("Secret Payload cannot be larger than 64KiB.");
      }
      long crc = crc32c(payload.getData());
      if (payload.hasDataCrc32C() && payload.getDataCrc32C() != crc) {
        throw invalid("Checksum mismatch: the data_crc32c of the payload does not match its data.");
      }
      long number = stored.versions.size() + 1L;
      SecretVersion meta = SecretVersion.newBuilder()
          .setName(stored.meta.getName() + "/versions/" + number)
          .setCreateTime(tick())
          .setState(SecretVersion.State.ENABLED)
          .setEtag(nextEtag())
          .setClientSpecifiedPayloadChecksum(payload.hasDataCrc32C())
          .build();
      stored.versions.add(new StoredVersion(meta, payload.getData(), crc));
      return meta;
    });
  }

  @Override
  public void getSecretVersion(GetSecretVersionRequest request, StreamObserver<SecretVersion> out) {
    answer("GetSecretVersion", out, () -> findVersion(request.getName()).meta);
  }

  @Override
  public void accessSecretVersion(AccessSecretVersionRequest request,
      StreamObserver<AccessSecretVersionResponse> out) {
    answer("AccessSecretVersion", out, () -> {
      StoredVersion v = findVersion(request.getName());
      if (v.meta.getState() != SecretVersion.State.ENABLED) {
        throw Status.FAILED_PRECONDITION.withDescription("Secret Version [" + v.meta.getName() + "] is in "
            + v.meta.getState() + " state.").asRuntimeException();
      }
      return AccessSecretVersionResponse.newBuilder()
          .setName(v.meta.getName())
          .setPayload(SecretPayload.newBuilder().setData(v.data).setDataCrc32C(v.crc32c))
          .build();
    });
  }

  @Override
  public void listSecretVersions(ListSecretVersionsRequest request,
      StreamObserver<ListSecretVersionsResponse> out) {
    answer("ListSecretVersions", out, () -> {
      StoredSecret stored = find(secretIdOf(request.getParent()));
      if (!request.getFilter().isEmpty()) {
        throw invalid("the fake understands no version filter, got '" + request.getFilter() + "'");
      }
      List<SecretVersion> newestFirst = new ArrayList<>();
      for (int i = stored.versions.size() - 1; i >= 0; i--) {
        newestFirst.add(stored.versions.get(i).meta);
      }
      String scope = "versions|" + request.getParent();
      int from = pageStart(request.getPageToken(), scope);
      int to = Math.min(newestFirst.size(), from + pageSize(request.getPageSize()));
      return ListSecretVersionsResponse.newBuilder()
          .addAllVersions(newestFirst.subList(Math.min(from, to), to))
          .setNextPageToken(to < newestFirst.size() ? pageToken(to, scope) : "")
          .setTotalSize(newestFirst.size())
          .build();
    });
  }

  @Override
  public void disableSecretVersion(DisableSecretVersionRequest request, StreamObserver<SecretVersion> out) {
    answer("DisableSecretVersion", out,
        () -> changeState(request.getName(), request.getEtag(), SecretVersion.State.DISABLED));
  }

  @Override
  public void enableSecretVersion(EnableSecretVersionRequest request, StreamObserver<SecretVersion> out) {
    answer("EnableSecretVersion", out,
        () -> changeState(request.getName(), request.getEtag(), SecretVersion.State.ENABLED));
  }

  @Override
  public void destroySecretVersion(DestroySecretVersionRequest request, StreamObserver<SecretVersion> out) {
    answer("DestroySecretVersion", out,
        () -> changeState(request.getName(), request.getEtag(), SecretVersion.State.DESTROYED));
  }

  private SecretVersion changeState(String name, String etag, SecretVersion.State state) {
    StoredVersion v = findVersion(name);
    checkEtag(etag, v.meta.getEtag());
    if (v.meta.getState() == SecretVersion.State.DESTROYED) {
      throw Status.FAILED_PRECONDITION.withDescription("Secret Version [" + v.meta.getName()
          + "] is in DESTROYED state.").asRuntimeException();
    }
    SecretVersion.Builder next = v.meta.toBuilder().setState(state).setEtag(nextEtag());
    if (state == SecretVersion.State.DESTROYED) {
      next.setDestroyTime(tick());
      v.data = ByteString.EMPTY;
    }
    v.meta = next.build();
    return v.meta;
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  private interface Body<T> {
    T run();
  }

  private <T> void answer(String method, StreamObserver<T> out, Body<T> body) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    try {
      CountDownLatch gate = stall;
      if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
        throw Status.INTERNAL.withDescription("fake stalled for too long").asRuntimeException();
      }
      Status fault;
      synchronized (faults) {
        fault = faults.poll();
      }
      if (fault != null) {
        throw fault.asRuntimeException();
      }
      T result;
      synchronized (lock) {
        Runnable interference = beforeNext.remove(method);
        if (interference != null) {
          interference.run();
        }
        result = body.run();
      }
      out.onNext(result);
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.onError(Status.CANCELLED.asRuntimeException());
    } catch (RuntimeException e) {
      out.onError(Status.INTERNAL.withDescription("fake failed: " + e).asRuntimeException());
    }
  }

  private void requireProject(String parent) {
    Matcher m = Pattern.compile("projects/([^/]+)").matcher(parent);
    if (!m.matches()) {
      throw invalid("parent must be projects/{project}, got '" + parent + "'");
    }
    requireKnownProject(m.group(1), parent);
  }

  private void requireKnownProject(String project, String resource) {
    if (!project.equals(projectId) && !project.equals(projectNumber)) {
      throw Status.PERMISSION_DENIED.withDescription("Permission denied on resource '" + resource
          + "' (or it may not exist).").asRuntimeException();
    }
  }

  private String secretIdOf(String name) {
    if (name.matches("projects/[^/]+/locations/.*")) {
      throw Status.UNIMPLEMENTED.withDescription("the fake serves global secrets only").asRuntimeException();
    }
    Matcher m = Pattern.compile("projects/([^/]+)/secrets/([^/]+)").matcher(name);
    if (!m.matches()) {
      throw invalid("name must be projects/{project}/secrets/{secret}, got '" + name + "'");
    }
    requireKnownProject(m.group(1), name);
    if (!SECRET_ID.matcher(m.group(2)).matches()) {
      throw invalid("secret id must match [a-zA-Z0-9_-]{1,255}, got '" + m.group(2) + "'");
    }
    return m.group(2);
  }

  private StoredSecret find(String id) {
    StoredSecret s = secrets.get(id);
    if (s == null) {
      throw Status.NOT_FOUND.withDescription("Secret [" + secretName(id) + "] not found.").asRuntimeException();
    }
    return s;
  }

  private StoredVersion findVersion(String name) {
    int at = name.lastIndexOf("/versions/");
    if (at < 0) {
      throw invalid("name must be projects/{project}/secrets/{secret}/versions/{version}, got '" + name + "'");
    }
    StoredSecret s = find(secretIdOf(name.substring(0, at)));
    String version = name.substring(at + "/versions/".length());
    if (version.equals("latest")) {
      if (s.versions.isEmpty()) {
        throw Status.NOT_FOUND.withDescription("Secret [" + s.meta.getName() + "] has no versions.")
            .asRuntimeException();
      }
      return s.versions.get(s.versions.size() - 1);
    }
    if (VERSION_NUMBER.matcher(version).matches()) {
      long n = Long.parseLong(version);
      if (n > s.versions.size()) {
        throw Status.NOT_FOUND.withDescription("Secret Version [" + name + "] not found.").asRuntimeException();
      }
      return s.versions.get((int) n - 1);
    }
    if (ALIAS.matcher(version).matches()) {
      throw Status.NOT_FOUND.withDescription("Secret Version alias [" + version + "] not found.")
          .asRuntimeException();
    }
    throw invalid("version must be a positive number, 'latest' or an alias, got '" + version + "'");
  }

  private static void checkEtag(String sent, String stored) {
    if (!sent.isEmpty() && !sent.equals(stored)) {
      throw Status.FAILED_PRECONDITION.withDescription("The etag provided in the request does not match the"
          + " current etag of the resource.").asRuntimeException();
    }
  }

  private static void checkLabels(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw invalid("at most " + MAX_LABELS + " labels");
    }
    labels.forEach((k, v) -> {
      if (!LABEL_KEY.matcher(k).matches() || !LABEL_VALUE.matcher(v).matches()) {
        throw invalid("label '" + k + "' breaks the label rules");
      }
    });
  }

  private static void checkAnnotations(Map<String, String> annotations) {
    int bytes = 0;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      if (!ANNOTATION_KEY.matcher(e.getKey()).matches()) {
        throw invalid("annotation key '" + e.getKey() + "' breaks the annotation rules");
      }
      bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (bytes >= MAX_ANNOTATION_BYTES) {
      throw invalid("the total size of annotation keys and values must be less than 16KiB");
    }
  }

  /** Parses the subset of the list filter language a broker needs: terms joined by AND (or a space). */
  private static Predicate<Secret> parseFilter(String filter) {
    Predicate<Secret> all = s -> true;
    String rest = filter.trim();
    while (!rest.isEmpty()) {
      Matcher m = FILTER_TERM.matcher(rest);
      if (!m.lookingAt()) {
        throw invalid("the fake does not understand the filter '" + filter + "'");
      }
      Predicate<Secret> term;
      if (m.group(3) == null) {
        String needle = m.group(1) != null ? m.group(1) : m.group(2);
        term = s -> s.getName().contains(needle);
      } else {
        String key = m.group(3);
        String value = m.group(5) != null ? m.group(5) : m.group(6);
        boolean has = m.group(4).equals(":");
        if (has && !value.equals("*")) {
          throw invalid("the fake understands labels.KEY:* only, got '" + m.group() + "'");
        }
        term = has ? s -> s.getLabelsMap().containsKey(key) : s -> value.equals(s.getLabelsMap().get(key));
      }
      all = all.and(term);
      rest = rest.substring(m.end()).trim();
      if (rest.startsWith("AND ")) {
        rest = rest.substring(4).trim();
        if (rest.isEmpty()) {
          throw invalid("the filter '" + filter + "' ends with AND");
        }
      }
    }
    return all;
  }

  private int pageSize(int requested) {
    if (requested < 0) {
      throw invalid("page_size must not be negative");
    }
    return Math.min(requested == 0 ? 100 : Math.min(requested, MAX_PAGE_SIZE), pageSizeCap);
  }

  private static String pageToken(int offset, String scope) {
    return Base64.getUrlEncoder().encodeToString((offset + "|" + scope).getBytes(StandardCharsets.UTF_8));
  }

  private static int pageStart(String token, String scope) {
    if (token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = decoded.indexOf('|');
      if (bar > 0 && decoded.substring(bar + 1).equals(scope)) {
        return Integer.parseInt(decoded.substring(0, bar));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the rejection
    }
    throw invalid("page_token was not issued for this request");
  }

  private String secretName(String id) {
    return "projects/" + projectNumber + "/secrets/" + id;
  }

  private String nextEtag() {
    return "\"" + Long.toHexString(etagSequence.incrementAndGet() * 0x9E3779B97F4A7C15L) + "\"";
  }

  /** The fake's clock: one second later on every change, so creation times are distinct and ordered. */
  private Timestamp tick() {
    Instant t = epoch.plusSeconds(ticks.incrementAndGet());
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static long crc32c(ByteString data) {
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  private static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private static final class StoredSecret {
    Secret meta;
    final List<StoredVersion> versions = new ArrayList<>();

    StoredSecret(Secret meta) {
      this.meta = meta;
    }
  }

  private static final class StoredVersion {
    SecretVersion meta;
    ByteString data;
    final long crc32c;

    StoredVersion(SecretVersion meta, ByteString data, long crc32c) {
      this.meta = meta;
      this.data = data;
      this.crc32c = crc32c;
    }
  }
}
