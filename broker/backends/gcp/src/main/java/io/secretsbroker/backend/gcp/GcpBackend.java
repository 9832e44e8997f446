package io.secretsbroker.backend.gcp;

import com.google.api.core.ApiFuture;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.DestroySecretVersionRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.ProjectName;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretName;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion.State;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import com.google.cloud.secretmanager.v1.UpdateSecretRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A {@link SecretBackend} over GCP Secret Manager (global secrets of one project).
 *
 * <p>A write adds a GCP version first and then moves the stage annotations with an {@code UpdateSecret} that
 * carries the etag read before the version was added. The etag makes the stage move atomic: of concurrent
 * check-and-set writers exactly one moves the stages, and the others destroy the version they added and report
 * {@code CONFLICT}; plain writers re-read and try again. A crash between the two steps leaves a version that holds
 * no stage, which nothing reads.
 *
 * <p>Versions an operator disabled or destroyed are invisible: reads report {@code NOT_FOUND} and
 * {@link #describe} leaves them out. Thread-safe.
 */
final class GcpBackend implements SecretBackend {
  /** The label every secret this backend creates carries; listing returns only secrets with it. */
  static final String MANAGED_LABEL = "secrets_broker";
  static final String MANAGED_LABEL_VALUE = "managed";
  /** The annotation holding the broker name the secret was created for, for people reading the console. */
  static final String NAME_ANNOTATION = "sb-name";
  /** The annotation holding when the newest version was written, so listing needs no call per secret. */
  static final String UPDATED_ANNOTATION = "sb-updated-at";

  private static final int STAGE_COMMIT_ATTEMPTS = 16;
  private static final int CREATE_ATTEMPTS = 4;
  private static final int GCP_PAGE_SIZE = 1000;
  private static final int MAX_SCANNED_PAGES = 10_000;
  private static final String PAGE_TOKEN_PREFIX = "gcp1.";
  private static final FieldMask ANNOTATIONS_ONLY = FieldMask.newBuilder().addPaths("annotations").build();
  private static final Replication AUTOMATIC =
      Replication.newBuilder().setAutomatic(Replication.Automatic.getDefaultInstance()).build();

  private final GcpConfig config;
  private final GcpNames names;
  private final SecretManagerServiceClient client;
  private final ManagedChannel ownedChannel;
  private final Clock clock;
  private final Duration awaitLimit;
  private final AtomicBoolean healthy = new AtomicBoolean(true);

  GcpBackend(GcpConfig config, SecretManagerServiceClient client, ManagedChannel ownedChannel, Clock clock) {
    this.config = config;
    this.names = new GcpNames(config.idPrefix());
    this.client = client;
    this.ownedChannel = ownedChannel;
    this.clock = clock;
    this.awaitLimit = config.timeout().plusSeconds(5);
  }

  /**
   * Builds the GCP client for {@code config} and a backend over it: Application Default Credentials, or none and
   * no TLS when {@code plaintext}; no client-side retries; every call's deadline is {@code config.timeout()}.
   *
   * @throws IOException when the client cannot be built (typically: no Application Default Credentials)
   */
  static GcpBackend open(GcpConfig config, Clock clock) throws IOException {
    ManagedChannel channel = null;
    try {
      SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder();
      if (config.plaintext()) {
        channel = ManagedChannelBuilder.forTarget(config.endpoint()).usePlaintext().build();
        settings.setTransportChannelProvider(
            FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)));
        settings.setCredentialsProvider(NoCredentialsProvider.create());
      } else if (config.endpoint() != null) {
        settings.setEndpoint(config.endpoint());
      }
      RetrySettings singleAttempt = RetrySettings.newBuilder()
          .setMaxAttempts(1)
          .setTotalTimeoutDuration(config.timeout())
          .setInitialRpcTimeoutDuration(config.timeout())
          .setMaxRpcTimeoutDuration(config.timeout())
          .setRpcTimeoutMultiplier(1.0)
          .setInitialRetryDelayDuration(Duration.ZERO)
          .setMaxRetryDelayDuration(Duration.ZERO)
          .setRetryDelayMultiplier(1.0)
          .build();
      settings.applyToAllUnaryMethods(method -> {
        method.setRetryableCodes(Set.of());
        method.setRetrySettings(singleAttempt);
        return null;
      });
      return new GcpBackend(config, SecretManagerServiceClient.create(settings.build()), channel, clock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.shutdownNow();
      }
      throw e;
    }
  }

  @Override
  public String kind() {
    return "gcp";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.VERSIONING, Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET);
  }

  @Override
  public boolean healthy() {
    return healthy.get();
  }

  // ---- read -------------------------------------------------------------------------------------------

  @Override
  public SecretVersion read(SecretRef ref) {
    String id = names.toId(ref.name());
    try {
      return doRead(ref, id);
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(ref.name()), "read");
    }
  }

  private SecretVersion doRead(SecretRef ref, String id) {
    Secret secret;
    String version;
    ApiFuture<com.google.cloud.secretmanager.v1.SecretVersion> meta;
    ApiFuture<AccessSecretVersionResponse> access;
    if (ref.version() != null) {
      if (!GcpStages.isVersionNumber(ref.version())) {
        throw BackendException.notFound(ref);
      }
      version = ref.version();
      ApiFuture<Secret> secretCall = client.getSecretCallable()
          .futureCall(GetSecretRequest.newBuilder().setName(secretName(id)).build());
      meta = versionMetadata(id, version);
      access = accessVersion(id, version);
      secret = awaitOrNotFound(secretCall, () -> BackendException.notFound(ref.name()));
    } else {
      secret = findSecret(id).orElseThrow(() -> BackendException.notFound(ref.name()));
      version = GcpStages.fromAnnotations(secret.getAnnotationsMap()).holder(ref.stage());
      if (version == null) {
        throw BackendException.notFound(ref);
      }
      meta = versionMetadata(id, version);
      access = accessVersion(id, version);
    }
    com.google.cloud.secretmanager.v1.SecretVersion metadata =
        awaitOrNotFound(meta, () -> BackendException.notFound(ref));
    if (metadata.getState() != State.ENABLED) {
      throw BackendException.notFound(ref);
    }
    SecretPayload payload = awaitOrNotFound(access, () -> BackendException.notFound(ref)).getPayload();
    byte[] data = payload.getData().toByteArray();
    if (payload.hasDataCrc32C() && payload.getDataCrc32C() != crc32c(data)) {
      Arrays.fill(data, (byte) 0);
      throw new BackendException(ErrorCode.UNAVAILABLE, "the value of " + subject(ref.name()) + " version "
          + version + " failed its CRC32C check on the way from GCP Secret Manager");
    }
    Set<Stage> stages = GcpStages.fromAnnotations(secret.getAnnotationsMap()).of(version);
    return new SecretVersion(ref.name(), new VersionInfo(version, stages, instant(metadata.getCreateTime())),
        SecretValue.wrap(data));
  }

  private ApiFuture<com.google.cloud.secretmanager.v1.SecretVersion> versionMetadata(String id, String version) {
    return client.getSecretVersionCallable()
        .futureCall(GetSecretVersionRequest.newBuilder().setName(versionName(id, version)).build());
  }

  private ApiFuture<AccessSecretVersionResponse> accessVersion(String id, String version) {
    return client.accessSecretVersionCallable()
        .futureCall(AccessSecretVersionRequest.newBuilder().setName(versionName(id, version)).build());
  }

  // ---- write ------------------------------------------------------------------------------------------

  @Override
  public VersionInfo write(WriteRequest request) {
    String name = request.name();
    if (request.value().size() > config.maxValueBytes()) {
      throw BackendException.invalid("the value of " + subject(name) + " has " + request.value().size()
          + " bytes, over this mount's limit of " + config.maxValueBytes() + " bytes");
    }
    String id = names.toId(name);
    try {
      return doWrite(request, id);
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(name), "write");
    }
  }

  private VersionInfo doWrite(WriteRequest request, String id) {
    Secret secret = existingOrCreated(request, id);
    BackendException.checkExpectedCurrent(request, GcpStages.fromAnnotations(secret.getAnnotationsMap()).current());
    byte[] bytes = request.value().bytes();
    AddSecretVersionRequest add;
    try {
      add = AddSecretVersionRequest.newBuilder()
          .setParent(secretName(id))
          .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFrom(bytes)).setDataCrc32C(crc32c(bytes)))
          .build();
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    com.google.cloud.secretmanager.v1.SecretVersion added = call(() -> client.addSecretVersion(add));
    String version = lastSegment(added.getName());
    Instant createdAt = instant(added.getCreateTime());
    commitStages(request, id, secret, version, createdAt);
    return new VersionInfo(version, Set.of(request.stage()), createdAt);
  }

  private Secret existingOrCreated(WriteRequest request, String id) {
    for (int attempt = 1; ; attempt++) {
      Optional<Secret> found = findSecret(id);
      if (found.isPresent()) {
        return found.get();
      }
      BackendException.checkExpectedCurrent(request, null);
      CreateSecretRequest create = CreateSecretRequest.newBuilder()
          .setParent(ProjectName.of(config.project()).toString())
          .setSecretId(id)
          .setSecret(Secret.newBuilder()
              .setReplication(AUTOMATIC)
              .putLabels(MANAGED_LABEL, MANAGED_LABEL_VALUE)
              .putAnnotations(NAME_ANNOTATION, request.name()))
          .build();
      try {
        return call(() -> client.createSecret(create));
      } catch (RuntimeException e) {
        if (GcpErrors.codeOf(e) != StatusCode.Code.ALREADY_EXISTS || attempt >= CREATE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Gives the new version its stage. Retries on a stale etag, re-checking the check-and-set condition against
   * what it re-reads; a writer that loses destroys the version it added.
   */
  private void commitStages(WriteRequest request, String id, Secret read, String version, Instant createdAt) {
    Secret secret = read;
    for (int attempt = 1; ; attempt++) {
      GcpStages before = GcpStages.fromAnnotations(secret.getAnnotationsMap());
      if (attempt > 1 && request.expectedCurrentVersion() != null) {
        try {
          BackendException.checkExpectedCurrent(request, before.current());
        } catch (BackendException lost) {
          discard(id, version);
          throw lost;
        }
      }
      GcpStages after = request.stage() == Stage.CURRENT
          ? before.afterPut(version)
          : before.afterMove(Stage.PENDING, version);
      Map<String, String> annotations = after.applyTo(secret.getAnnotationsMap());
      annotations.put(UPDATED_ANNOTATION, createdAt.toString());
      try {
        updateAnnotations(id, secret.getEtag(), annotations);
        return;
      } catch (RuntimeException e) {
        if (GcpErrors.codeOf(e) == StatusCode.Code.NOT_FOUND) {
          throw BackendException.conflict(subject(request.name()) + " was deleted while a version was written");
        }
        if (!GcpErrors.isEtagMismatch(e)) {
          throw e;
        }
        if (attempt >= STAGE_COMMIT_ATTEMPTS) {
          discard(id, version);
          throw BackendException.conflict("could not write " + subject(request.name()) + ": its stages changed "
              + "concurrently " + attempt + " times in a row");
        }
        secret = findSecret(id).orElseThrow(() -> BackendException.conflict(
            subject(request.name()) + " was deleted while a version was written"));
      }
    }
  }

  /** Destroys a version that lost its race and holds no stage; if that fails too, it stays, unstaged. */
  private void discard(String id, String version) {
    try {
      call(() -> client.destroySecretVersion(
          DestroySecretVersionRequest.newBuilder().setName(versionName(id, version)).build()));
    } catch (RuntimeException ignored) {
      // An unstaged version is harmless: no stage points at it, so nothing reads it.
    }
  }

  // ---- stages -----------------------------------------------------------------------------------------

  @Override
  public void moveStage(String name, Stage stage, String version) {
    String id = names.toId(name);
    SecretRef ref = SecretRef.ofVersion(name, version);
    try {
      changeStages(name, id, stages -> stages.afterMove(stage, version), () -> {
        if (!GcpStages.isVersionNumber(version)) {
          throw BackendException.notFound(ref);
        }
        com.google.cloud.secretmanager.v1.SecretVersion meta =
            awaitOrNotFound(versionMetadata(id, version), () -> BackendException.notFound(ref));
        if (meta.getState() != State.ENABLED) {
          throw BackendException.notFound(ref);
        }
      });
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(name), "move stage " + stage.word() + " of");
    }
  }

  @Override
  public void clearStage(String name, Stage stage) {
    String id = names.toId(name);
    try {
      changeStages(name, id, stages -> stages.without(stage), () -> {});
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(name), "clear stage " + stage.word() + " of");
    }
  }

  private void changeStages(String name, String id, UnaryOperator<GcpStages> change, Runnable check) {
    Secret secret = findSecret(id).orElseThrow(() -> BackendException.notFound(name));
    check.run();
    for (int attempt = 1; ; attempt++) {
      GcpStages before = GcpStages.fromAnnotations(secret.getAnnotationsMap());
      GcpStages after = change.apply(before);
      if (after.equals(before)) {
        return;
      }
      try {
        updateAnnotations(id, secret.getEtag(), after.applyTo(secret.getAnnotationsMap()));
        return;
      } catch (RuntimeException e) {
        if (GcpErrors.codeOf(e) == StatusCode.Code.NOT_FOUND) {
          throw BackendException.notFound(name);
        }
        if (!GcpErrors.isEtagMismatch(e) || attempt >= STAGE_COMMIT_ATTEMPTS) {
          throw e;
        }
        secret = findSecret(id).orElseThrow(() -> BackendException.notFound(name));
      }
    }
  }

  private void updateAnnotations(String id, String etag, Map<String, String> annotations) {
    UpdateSecretRequest update = UpdateSecretRequest.newBuilder()
        .setSecret(Secret.newBuilder().setName(secretName(id)).setEtag(etag).putAllAnnotations(annotations))
        .setUpdateMask(ANNOTATIONS_ONLY)
        .build();
    call(() -> client.updateSecret(update));
  }

  // ---- list, describe, delete -------------------------------------------------------------------------

  /**
   * {@inheritDoc}
   *
   * <p>GCP's API reference promises no order for {@code ListSecrets}, so every page reads all the mount's
   * secrets under {@code prefix} (server-side filtered by label and name) and keeps the {@code size} smallest
   * names after the page token; the token is the last name returned, so pages stay consistent while secrets are
   * added or deleted. A page costs one pass over the secrets under the prefix.
   */
  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    String after = decodePageToken(prefix, page.token());
    Optional<String> idPrefix = names.idPrefixOf(prefix);
    if (idPrefix.isEmpty()) {
      return new Page<>(List.of(), "");
    }
    try {
      return scan(prefix, idPrefix.get(), after, page.size());
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, "secrets under prefix '" + prefix + "'", "list");
    }
  }

  private Page<SecretSummary> scan(String prefix, String idPrefix, String after, int size) {
    String filter = "labels." + MANAGED_LABEL + "=" + MANAGED_LABEL_VALUE
        + (idPrefix.isEmpty() ? "" : " AND name:\"" + idPrefix + "\"");
    TreeMap<String, Secret> smallest = new TreeMap<>();
    String token = "";
    for (int pages = 1; ; pages++) {
      ListSecretsRequest request = ListSecretsRequest.newBuilder()
          .setParent(ProjectName.of(config.project()).toString())
          .setFilter(filter)
          .setPageSize(GCP_PAGE_SIZE)
          .setPageToken(token)
          .build();
      ListSecretsResponse response = call(() -> client.listSecretsCallable().call(request));
      for (Secret secret : response.getSecretsList()) {
        Optional<String> name = names.toName(lastSegment(secret.getName()));
        if (name.isEmpty() || !name.get().startsWith(prefix) || (after != null && name.get().compareTo(after) <= 0)) {
          continue;
        }
        smallest.put(name.get(), secret);
        if (smallest.size() > size + 1) {
          smallest.pollLastEntry();
        }
      }
      token = response.getNextPageToken();
      if (token.isEmpty()) {
        break;
      }
      if (pages >= MAX_SCANNED_PAGES) {
        throw new BackendException(ErrorCode.INTERNAL, "listing secrets under prefix '" + prefix
            + "' did not end after " + pages + " pages of GCP results");
      }
    }
    List<SecretSummary> items = new ArrayList<>(size);
    for (Map.Entry<String, Secret> e : smallest.entrySet()) {
      if (items.size() == size) {
        break;
      }
      items.add(summary(e.getKey(), e.getValue()));
    }
    String next = smallest.size() > size ? encodePageToken(items.get(items.size() - 1).name()) : "";
    return new Page<>(items, next);
  }

  private SecretSummary summary(String name, Secret secret) {
    Instant created = instant(secret.getCreateTime());
    Instant updated = created;
    String written = secret.getAnnotationsMap().get(UPDATED_ANNOTATION);
    if (written != null) {
      try {
        updated = Instant.parse(written);
      } catch (DateTimeParseException ignored) {
        // Edited by hand: fall back to the creation time.
      }
    }
    return new SecretSummary(name, GcpStages.fromAnnotations(secret.getAnnotationsMap()).current(), created,
        updated.isBefore(created) ? created : updated);
  }

  private static String encodePageToken(String lastName) {
    return PAGE_TOKEN_PREFIX
        + Base64.getUrlEncoder().withoutPadding().encodeToString(lastName.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodePageToken(String prefix, String token) {
    if (token.isEmpty()) {
      return null;
    }
    BackendException foreign = BackendException.invalid("page token was not issued by this backend for prefix '"
        + prefix + "'");
    if (!token.startsWith(PAGE_TOKEN_PREFIX)) {
      throw foreign;
    }
    String name;
    try {
      name = new String(Base64.getUrlDecoder().decode(token.substring(PAGE_TOKEN_PREFIX.length())),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw foreign;
    }
    if (!name.startsWith(prefix) || name.isEmpty() || GcpNames.encode(name) == null) {
      throw foreign;
    }
    return name;
  }

  @Override
  public SecretMetadata describe(String name) {
    String id = names.toId(name);
    try {
      return doDescribe(name, id);
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(name), "describe");
    }
  }

  private SecretMetadata doDescribe(String name, String id) {
    Secret secret = findSecret(id).orElseThrow(() -> BackendException.notFound(name));
    GcpStages stages = GcpStages.fromAnnotations(secret.getAnnotationsMap());
    List<com.google.cloud.secretmanager.v1.SecretVersion> enabled = new ArrayList<>();
    String token = "";
    for (int pages = 1; ; pages++) {
      ListSecretVersionsRequest request = ListSecretVersionsRequest.newBuilder()
          .setParent(secretName(id))
          .setPageSize(GCP_PAGE_SIZE)
          .setPageToken(token)
          .build();
      ListSecretVersionsResponse response;
      try {
        response = call(() -> client.listSecretVersionsCallable().call(request));
      } catch (RuntimeException e) {
        if (GcpErrors.codeOf(e) == StatusCode.Code.NOT_FOUND) {
          throw BackendException.notFound(name);
        }
        throw e;
      }
      for (com.google.cloud.secretmanager.v1.SecretVersion v : response.getVersionsList()) {
        if (v.getState() == State.ENABLED) {
          enabled.add(v);
        }
      }
      token = response.getNextPageToken();
      if (token.isEmpty() || pages >= MAX_SCANNED_PAGES) {
        break;
      }
    }
    enabled.sort(Comparator.comparingLong(v -> Long.parseLong(lastSegment(v.getName()))));
    List<VersionInfo> versions = new ArrayList<>(enabled.size());
    Instant created = instant(secret.getCreateTime());
    Instant updated = created;
    for (com.google.cloud.secretmanager.v1.SecretVersion v : enabled) {
      String version = lastSegment(v.getName());
      Instant at = instant(v.getCreateTime());
      versions.add(new VersionInfo(version, stages.of(version), at));
      if (at.isAfter(updated)) {
        updated = at;
      }
    }
    return new SecretMetadata(name, versions, created, updated);
  }

  @Override
  public void delete(String name) {
    String id = names.toId(name);
    try {
      call(() -> client.deleteSecretCallable().call(DeleteSecretRequest.newBuilder().setName(secretName(id)).build()));
    } catch (RuntimeException e) {
      throw GcpErrors.translate(e, subject(name), "delete");
    }
  }

  @Override
  public void close() {
    try {
      client.close();
      client.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException ignored) {
      // close never throws
    }
    if (ownedChannel != null) {
      ownedChannel.shutdownNow();
      try {
        ownedChannel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  private Optional<Secret> findSecret(String id) {
    try {
      return Optional.of(call(() -> client.getSecret(GetSecretRequest.newBuilder().setName(secretName(id)).build())));
    } catch (RuntimeException e) {
      if (GcpErrors.codeOf(e) == StatusCode.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Runs one GCP call, noting whether the service answered. */
  private <T> T call(Supplier<T> gcpCall) {
    try {
      T result = gcpCall.get();
      healthy.set(true);
      return result;
    } catch (RuntimeException e) {
      noteFailure(e);
      throw e;
    }
  }

  /**
   * Waits for a call started with {@code futureCall}. GCP's {@code NOT_FOUND}, and {@code FAILED_PRECONDITION}
   * (a disabled or destroyed version), become {@code notFound}.
   */
  private <T> T awaitOrNotFound(ApiFuture<T> future, Supplier<BackendException> notFound) {
    try {
      T result = future.get(awaitLimit.toMillis(), TimeUnit.MILLISECONDS);
      healthy.set(true);
      return result;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      noteFailure(cause);
      StatusCode.Code code = GcpErrors.codeOf(cause);
      if (code == StatusCode.Code.NOT_FOUND || code == StatusCode.Code.FAILED_PRECONDITION) {
        throw notFound.get();
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendException(ErrorCode.INTERNAL, "the GCP Secret Manager client failed", cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      healthy.set(false);
      throw new BackendException(ErrorCode.UNAVAILABLE, "GCP Secret Manager did not answer in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new BackendException(ErrorCode.UNAVAILABLE, "interrupted while waiting for GCP Secret Manager", e);
    }
  }

  private void noteFailure(Throwable failure) {
    StatusCode.Code code = GcpErrors.codeOf(failure);
    healthy.set(code != null && GcpErrors.classify(code) != ErrorCode.UNAVAILABLE);
  }

  private String secretName(String id) {
    return SecretName.of(config.project(), id).toString();
  }

  private String versionName(String id, String version) {
    return SecretVersionName.of(config.project(), id, version).toString();
  }

  private Instant instant(Timestamp t) {
    if (t.getSeconds() == 0 && t.getNanos() == 0) {
      return clock.instant();
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static String lastSegment(String resourceName) {
    return resourceName.substring(resourceName.lastIndexOf('/') + 1);
  }

  private static String subject(String name) {
    return "secret '" + name + "'";
  }

  private static long crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return crc.getValue();
  }
}
