package io.secretsbroker.backend.aws;

import static io.secretsbroker.backend.aws.AwsErrors.secret;

import io.secretsbroker.backend.aws.AwsErrors.Op;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;

/**
 * A {@link SecretBackend} over AWS Secrets Manager. Thread-safe; holds one SDK client.
 *
 * <p>A plain put is one {@code PutSecretValue} (AWS moves {@code AWSCURRENT} to the new version and
 * {@code AWSPREVIOUS} to the old current), or {@code CreateSecret} for the first version. A check-and-set put
 * writes the new version under a private label, then moves {@code AWSCURRENT} to it with
 * {@code UpdateSecretVersionStage}, naming the expected current version as {@code RemoveFromVersionId}: AWS refuses
 * the move when that version no longer holds the label, so of concurrent writers expecting the same version exactly
 * one wins; a loser's version keeps no label, which makes it deprecated in AWS (not listed, eventually removed).
 * Reads always name a stage or a version id.
 */
final class AwsBackend implements SecretBackend {
  static final String KIND = "aws";
  /** The label a check-and-set write holds its new version with until the move of {@code AWSCURRENT}. */
  static final String CAS_LABEL = "SECRETS_BROKER_CAS";
  /** The largest page AWS returns, used for {@code ListSecrets} and {@code ListSecretVersionIds}. */
  static final int AWS_PAGE_SIZE = 100;
  /** The most AWS pages one call reads: bounds a listing to 100,000 secrets. */
  static final int MAX_AWS_PAGES = 1000;
  /** How often a write or a stage move tries again after losing a race with another writer. */
  private static final int ATTEMPTS = 5;

  private static final Logger log = LoggerFactory.getLogger(AwsBackend.class);

  private final SecretsManagerClient client;
  private final List<AutoCloseable> resources;
  private final Clock clock;
  private final AwsNames names;
  private final VersionIds versionIds;
  private final int maxValueBytes;
  private final Optional<String> kmsKeyId;
  private final int awsPageSize;
  private final AtomicBoolean healthy = new AtomicBoolean(true);

  /**
   * @param client the SDK client, configured with timeouts and without retries
   * @param resources closed by {@link #close()}, in order (the client, its HTTP client, its credentials)
   * @param awsPageSize the page size asked of AWS, 1 to {@value #AWS_PAGE_SIZE}
   */
  AwsBackend(AwsConfig config, SecretsManagerClient client, List<AutoCloseable> resources, Clock clock,
      int awsPageSize) {
    this.client = client;
    this.resources = List.copyOf(resources);
    this.clock = clock;
    this.names = new AwsNames(config.namePrefix());
    this.versionIds = new VersionIds(clock, new SecureRandom());
    this.maxValueBytes = config.maxValueBytes();
    this.kmsKeyId = config.kmsKeyId();
    this.awsPageSize = awsPageSize;
  }

  /**
   * Builds a backend with its own SDK client: the URL-connection HTTP client, the SDK's default credentials
   * chain, SDK retries off (the broker retries) and {@code timeout} on every call.
   */
  static AwsBackend connect(AwsConfig config, Clock clock) {
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(config.timeout())
        .socketTimeout(config.timeout())
        .build();
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    try {
      SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
          .region(Region.of(config.region()))
          .credentialsProvider(credentials)
          .httpClient(http)
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
              .apiCallTimeout(config.timeout())
              .apiCallAttemptTimeout(config.timeout()));
      config.endpoint().ifPresent(builder::endpointOverride);
      SecretsManagerClient client = builder.build();
      return new AwsBackend(config, client, List.of(client, http, credentials), clock, AWS_PAGE_SIZE);
    } catch (RuntimeException e) {
      http.close();
      credentials.close();
      throw e;
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Versions and stage labels; check-and-set is race-safe but not one atomic call, so not claimed atomic. */
  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.VERSIONING, Capability.STAGE_LABELS);
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    return call(secret(ref.name()), Op.OTHER, () -> {
      String id = names.toAws(ref.name());
      GetSecretValueRequest.Builder request = GetSecretValueRequest.builder().secretId(id);
      if (ref.version() != null) {
        if (!VersionIds.isPossibleAwsVersionId(ref.version())) {
          throw BackendException.notFound(ref);
        }
        request.versionId(ref.version());
      } else {
        request.versionStage(AwsStages.label(ref.stage()));
      }
      GetSecretValueResponse response;
      try {
        response = aws(() -> client.getSecretValue(request.build()));
      } catch (ResourceNotFoundException e) {
        throw new BackendException(ErrorCode.NOT_FOUND, BackendException.notFound(ref).getMessage(), e);
      }
      byte[] bytes = SecretCodec.bytes(response.secretString(), response.secretBinary());
      if (bytes == null) {
        throw BackendException.notFound(ref);
      }
      VersionInfo info = new VersionInfo(response.versionId(), AwsStages.stages(response.versionStages()),
          orNow(response.createdDate()));
      return new SecretVersion(ref.name(), info, SecretValue.wrap(bytes));
    });
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    String name = request.name();
    return call(secret(name), Op.WRITE, () -> {
      int size = request.value().size();
      if (size == 0) {
        throw BackendException.invalid("secret '" + name + "': AWS Secrets Manager cannot store an empty value");
      }
      if (size > maxValueBytes) {
        throw BackendException.invalid("value of secret '" + name + "' has " + size
            + " bytes; this mount stores at most " + maxValueBytes + " (max-value-bytes)");
      }
      String id = names.toAws(name);
      byte[] value = request.value().bytes();
      String version = versionIds.next();
      if (request.stage() == Stage.PENDING) {
        return writePending(request, id, version, value);
      }
      String expected = request.expectedCurrentVersion();
      if (expected == null) {
        return put(name, id, version, value);
      }
      if (expected.isEmpty()) {
        return create(request, id, version, value);
      }
      String current = currentHolder(id);
      BackendException.checkExpectedCurrent(request, current);
      return putIfCurrent(name, id, version, value, current);
    });
  }

  /** A put without condition: {@code PutSecretValue}, or {@code CreateSecret} when the secret does not exist. */
  private VersionInfo put(String name, String id, String version, byte[] value) {
    for (int attempt = 1; ; attempt++) {
      try {
        PutSecretValueResponse response = aws(() -> client.putSecretValue(putRequest(id, version, value, null)));
        return written(version, response.versionStages(), Stage.CURRENT);
      } catch (ResourceNotFoundException e) {
        try {
          aws(() -> client.createSecret(createRequest(id, version, value)));
          return written(version, null, Stage.CURRENT);
        } catch (InvalidRequestException refused) {
          throw createRefused(name, id, refused);
        } catch (ResourceExistsException raced) {
          if (attempt >= ATTEMPTS) {
            throw new BackendException(ErrorCode.CONFLICT, "secret '" + name
                + "' kept being created and deleted by others while writing; try again", raced);
          }
        }
      }
    }
  }

  /**
   * Explains why AWS refused to create a secret whose name it does not list: a secret scheduled for deletion holds
   * the name ({@code CONFLICT}); one deleted without recovery may hold it for a short while, since AWS deletes
   * asynchronously ({@code UNAVAILABLE}, worth retrying).
   */
  private BackendException createRefused(String name, String id, InvalidRequestException refused) {
    try {
      if (aws(() -> client.describeSecret(b -> b.secretId(id))).deletedDate() != null) {
        return new BackendException(ErrorCode.CONFLICT, "secret '" + name + "' is scheduled for deletion in AWS"
            + " Secrets Manager; restore it there, or wait until AWS has deleted it", refused);
      }
      return AwsErrors.classify(refused, secret(name), Op.WRITE);
    } catch (ResourceNotFoundException gone) {
      return new BackendException(ErrorCode.UNAVAILABLE, "secret '" + name + "' is still being deleted by AWS"
          + " Secrets Manager; try again shortly", refused);
    }
  }

  /** A put that requires the secret to have no current version: {@code CreateSecret} is atomic. */
  private VersionInfo create(WriteRequest request, String id, String version, byte[] value) {
    try {
      aws(() -> client.createSecret(createRequest(id, version, value)));
      return written(version, null, Stage.CURRENT);
    } catch (InvalidRequestException refused) {
      throw createRefused(request.name(), id, refused);
    } catch (ResourceExistsException e) {
      String current = currentHolder(id);
      BackendException.checkExpectedCurrent(request, current);
      return putIfCurrent(request.name(), id, version, value, null);
    }
  }

  /**
   * Writes a version under {@link #CAS_LABEL}, then moves {@code AWSCURRENT} to it from {@code current} (null: from
   * no version). AWS refuses the move when {@code current} no longer holds {@code AWSCURRENT} (or, for null, when
   * some version does): that refusal is the lost race, reported as {@code CONFLICT}.
   */
  private VersionInfo putIfCurrent(String name, String id, String version, byte[] value, String current) {
    PutSecretValueResponse response;
    try {
      response = aws(() -> client.putSecretValue(putRequest(id, version, value, List.of(CAS_LABEL))));
    } catch (ResourceNotFoundException e) {
      throw new BackendException(ErrorCode.CONFLICT,
          "secret '" + name + "' was deleted during the check-and-set write", e);
    }
    try {
      // The first version of a secret without versions gets AWSCURRENT from AWS itself.
      if (!response.versionStages().contains(AwsStages.CURRENT)) {
        aws(() -> client.updateSecretVersionStage(b -> b.secretId(id).versionStage(AwsStages.CURRENT)
            .moveToVersionId(version).removeFromVersionId(current)));
      }
    } catch (InvalidParameterException | InvalidRequestException | ResourceNotFoundException e) {
      throw new BackendException(ErrorCode.CONFLICT, "secret '" + name + "' current version changed during the"
          + " check-and-set write (expected " + (current == null ? "none" : current) + ")", e);
    } finally {
      removeLabelQuietly(id, CAS_LABEL, version);
    }
    return written(version, null, Stage.CURRENT);
  }

  /** A new pending version; a check-and-set condition is only checked before the write, not atomically. */
  private VersionInfo writePending(WriteRequest request, String id, String version, byte[] value) {
    if (request.expectedCurrentVersion() != null) {
      BackendException.checkExpectedCurrent(request, currentHolder(id));
    }
    try {
      PutSecretValueResponse response =
          aws(() -> client.putSecretValue(putRequest(id, version, value, List.of(AwsStages.PENDING))));
      return written(version, response.versionStages(), Stage.PENDING);
    } catch (ResourceNotFoundException e) {
      throw new BackendException(ErrorCode.NOT_FOUND, "secret '" + request.name()
          + "' not found: a pending version needs an existing secret", e);
    }
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    return call("secrets under '" + prefix + "'", Op.OTHER, () -> {
      String after = AwsNames.resumeAfter(page.token(), prefix);
      // AWS lists in creation order: read every match, keep the smallest names past the token.
      TreeMap<String, SecretSummary> smallest = new TreeMap<>();
      ListSecretsRequest.Builder request = ListSecretsRequest.builder().maxResults(awsPageSize);
      names.listFilter(prefix).ifPresent(v ->
          request.filters(Filter.builder().key(FilterNameStringType.NAME).values(v).build()));
      String next = null;
      for (int pages = 1; ; pages++) {
        ListSecretsRequest pageRequest = request.nextToken(next).build();
        ListSecretsResponse response = aws(() -> client.listSecrets(pageRequest));
        for (SecretListEntry entry : response.secretList()) {
          Optional<String> name = names.fromAws(entry.name());
          if (entry.deletedDate() != null || name.isEmpty() || !name.get().startsWith(prefix)
              || after != null && name.get().compareTo(after) <= 0) {
            continue;
          }
          smallest.put(name.get(), summary(name.get(), entry));
          if (smallest.size() > page.size() + 1) {
            smallest.pollLastEntry();
          }
        }
        next = response.nextToken();
        if (next == null || next.isEmpty()) {
          break;
        }
        if (pages == MAX_AWS_PAGES) {
          throw BackendException.invalid("more than " + MAX_AWS_PAGES * awsPageSize + " secrets under '" + prefix
              + "' in AWS Secrets Manager; list a narrower prefix");
        }
      }
      List<SecretSummary> items = new ArrayList<>(smallest.values());
      if (items.size() <= page.size()) {
        return new Page<>(items, "");
      }
      items = items.subList(0, page.size());
      return new Page<>(items, AwsNames.pageToken(items.get(items.size() - 1).name()));
    });
  }

  @Override
  public SecretMetadata describe(String name) {
    return call(secret(name), Op.OTHER, () -> {
      String id = names.toAws(name);
      DescribeSecretResponse secret = describeExisting(name, id);
      List<VersionInfo> versions = new ArrayList<>();
      for (SecretVersionsListEntry v : listVersions(name, id, false)) {
        List<String> labels = new ArrayList<>(v.versionStages());
        labels.remove(CAS_LABEL);
        if (!labels.isEmpty()) { // versions without labels are deprecated in AWS
          versions.add(new VersionInfo(v.versionId(), AwsStages.stages(labels), orNow(v.createdDate())));
        }
      }
      versions.sort(Comparator.comparing(VersionInfo::createdAt).thenComparing(VersionInfo::version));
      Instant created = orNow(secret.createdDate());
      return new SecretMetadata(name, versions, created, notBefore(secret.lastChangedDate(), created));
    });
  }

  @Override
  public void delete(String name) {
    call(secret(name), Op.OTHER, () -> {
      String id = names.toAws(name);
      describeExisting(name, id);
      return aws(() -> client.deleteSecret(b -> b.secretId(id).forceDeleteWithoutRecovery(true)));
    });
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    call(secret(name), Op.OTHER, () -> {
      String id = names.toAws(name);
      String label = AwsStages.label(stage);
      List<String> targetLabels;
      for (int attempt = 1; ; attempt++) {
        Map<String, List<String>> labels = describeExisting(name, id).versionIdsToStages();
        if (!labels.containsKey(version) && !versionExists(name, id, version)) {
          throw BackendException.notFound(SecretRef.ofVersion(name, version));
        }
        targetLabels = labels.getOrDefault(version, List.of());
        String holder = AwsStages.holder(labels, label);
        if (version.equals(holder)) {
          break;
        }
        try {
          aws(() -> client.updateSecretVersionStage(b -> b.secretId(id).versionStage(label)
              .moveToVersionId(version).removeFromVersionId(holder)));
          break;
        } catch (InvalidParameterException | InvalidRequestException e) {
          if (attempt >= ATTEMPTS) {
            throw new BackendException(ErrorCode.CONFLICT, "stage " + stage.word() + " of secret '" + name
                + "' kept moving while moving it; try again", e);
          }
        }
      }
      if (stage == Stage.CURRENT && targetLabels.contains(AwsStages.PENDING)) {
        removeLabelQuietly(id, AwsStages.PENDING, version);
      }
      return null;
    });
  }

  /**
   * {@inheritDoc}
   *
   * @throws BackendException {@code INVALID_ARGUMENT} for {@link Stage#CURRENT}: AWS keeps a current version on
   *     every secret that has versions, so the current stage can be moved but not cleared
   */
  @Override
  public void clearStage(String name, Stage stage) {
    call(secret(name), Op.OTHER, () -> {
      String id = names.toAws(name);
      if (stage == Stage.CURRENT) {
        describeExisting(name, id);
        throw BackendException.invalid("secret '" + name + "': AWS Secrets Manager keeps a current version;"
            + " move stage current to another version instead of clearing it");
      }
      String label = AwsStages.label(stage);
      for (int attempt = 1; ; attempt++) {
        String holder = AwsStages.holder(describeExisting(name, id).versionIdsToStages(), label);
        if (holder == null) {
          return null;
        }
        try {
          return aws(() -> client.updateSecretVersionStage(b -> b.secretId(id).versionStage(label)
              .removeFromVersionId(holder)));
        } catch (InvalidParameterException | InvalidRequestException e) {
          if (attempt >= ATTEMPTS) {
            throw new BackendException(ErrorCode.CONFLICT, "stage " + stage.word() + " of secret '" + name
                + "' kept moving while clearing it; try again", e);
          }
        }
      }
    });
  }

  /** Whether the last call reached AWS and got an answer other than a server error. */
  @Override
  public boolean healthy() {
    return healthy.get();
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.debug("closing {} failed", resource.getClass().getSimpleName(), e);
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  /** Runs one backend operation; every failure leaves as a {@link BackendException}. */
  private <T> T call(String subject, Op op, Supplier<T> body) {
    try {
      return body.get();
    } catch (BackendException e) {
      throw e;
    } catch (RuntimeException e) {
      BackendException b = AwsErrors.classify(e, subject, op);
      if (b.code() == ErrorCode.INTERNAL) {
        log.warn("AWS Secrets Manager call failed: {}", b.getMessage(), e);
      } else {
        log.debug("AWS Secrets Manager call failed: {}", b.getMessage(), e);
      }
      throw b;
    }
  }

  /** Makes one SDK call and records whether AWS answered it. */
  private <T> T aws(Supplier<T> sdkCall) {
    try {
      T result = sdkCall.get();
      healthy.set(true);
      return result;
    } catch (AwsServiceException e) {
      healthy.set(e.statusCode() < 500);
      throw e;
    } catch (SdkClientException e) {
      healthy.set(false);
      throw e;
    }
  }

  /** The secret's description; {@code NOT_FOUND} when it does not exist or is scheduled for deletion. */
  private DescribeSecretResponse describeExisting(String name, String id) {
    DescribeSecretResponse response = aws(() -> client.describeSecret(b -> b.secretId(id)));
    if (response.deletedDate() != null) {
      throw new BackendException(ErrorCode.NOT_FOUND,
          "secret '" + name + "' not found (it is scheduled for deletion in AWS Secrets Manager)");
    }
    return response;
  }

  /** The version holding {@code AWSCURRENT}, or null when none does or the secret does not exist. */
  private String currentHolder(String id) {
    try {
      return AwsStages.holder(aws(() -> client.describeSecret(b -> b.secretId(id))).versionIdsToStages(),
          AwsStages.CURRENT);
    } catch (ResourceNotFoundException e) {
      return null;
    }
  }

  private List<SecretVersionsListEntry> listVersions(String name, String id, boolean includeDeprecated) {
    List<SecretVersionsListEntry> versions = new ArrayList<>();
    String next = null;
    for (int pages = 1; pages <= MAX_AWS_PAGES; pages++) {
      ListSecretVersionIdsRequest request = ListSecretVersionIdsRequest.builder().secretId(id)
          .maxResults(awsPageSize).includeDeprecated(includeDeprecated).nextToken(next).build();
      ListSecretVersionIdsResponse response = aws(() -> client.listSecretVersionIds(request));
      versions.addAll(response.versions());
      next = response.nextToken();
      if (next == null || next.isEmpty()) {
        return versions;
      }
    }
    throw new BackendException(ErrorCode.INTERNAL,
        "AWS Secrets Manager kept paging the versions of secret '" + name + "'");
  }

  private boolean versionExists(String name, String id, String version) {
    return VersionIds.isPossibleAwsVersionId(version)
        && listVersions(name, id, true).stream().anyMatch(v -> version.equals(v.versionId()));
  }

  /** Takes {@code label} off {@code version}; does nothing when it is no longer there or AWS cannot be reached. */
  private void removeLabelQuietly(String id, String label, String version) {
    try {
      aws(() -> client.updateSecretVersionStage(b -> b.secretId(id).versionStage(label)
          .removeFromVersionId(version)));
    } catch (SdkException e) {
      log.debug("could not remove label {} from a version of an AWS secret", label, e);
    }
  }

  private PutSecretValueRequest putRequest(String id, String version, byte[] value, List<String> labels) {
    PutSecretValueRequest.Builder b = PutSecretValueRequest.builder().secretId(id).clientRequestToken(version);
    SecretCodec.asText(value).ifPresentOrElse(b::secretString,
        () -> b.secretBinary(SdkBytes.fromByteArray(value)));
    if (labels != null) {
      b.versionStages(labels);
    }
    return b.build();
  }

  private CreateSecretRequest createRequest(String id, String version, byte[] value) {
    CreateSecretRequest.Builder b = CreateSecretRequest.builder().name(id).clientRequestToken(version);
    SecretCodec.asText(value).ifPresentOrElse(b::secretString,
        () -> b.secretBinary(SdkBytes.fromByteArray(value)));
    kmsKeyId.ifPresent(b::kmsKeyId);
    return b.build();
  }

  /** The metadata of a version just written; {@code labels} as AWS reported them, or null for {@code stage}. */
  private VersionInfo written(String version, List<String> labels, Stage stage) {
    Set<Stage> stages = labels == null || labels.isEmpty() ? Set.of(stage) : AwsStages.stages(labels);
    return new VersionInfo(version, stages, clock.instant());
  }

  private SecretSummary summary(String name, SecretListEntry entry) {
    Instant created = orNow(entry.createdDate());
    return new SecretSummary(name, AwsStages.holder(entry.secretVersionsToStages(), AwsStages.CURRENT), created,
        notBefore(entry.lastChangedDate(), created));
  }

  private Instant orNow(Instant t) {
    return t != null ? t : clock.instant();
  }

  private static Instant notBefore(Instant t, Instant floor) {
    return t == null || t.isBefore(floor) ? floor : t;
  }
}
