package io.secretsbroker.backend.azure;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.SyncPoller;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.DeletedSecret;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The Azure Key Vault backend: one broker secret is one Key Vault secret, one broker version one Key Vault
 * version (its 32-hex id is the version id), stages are claims in version tags (see {@link SecretState}), values
 * are stored as text or base64 (see {@link StoredValue}) and names are mapped by {@link AzureNames}.
 *
 * <p>Key Vault has no conditional write, so check-and-set and the choice of generations are made atomic by a lock
 * per name inside this process only: one broker replica keeps the contract exactly; several replicas writing the
 * same secret at once may both pass a check-and-set. {@link #capabilities()} therefore leaves out
 * {@link Capability#ATOMIC_CHECK_AND_SET}.
 *
 * <p>Every read lists the secret's versions (a page per 25 versions) to resolve stages, then fetches one version by
 * its id; Key Vault's own "latest" version is never used. A delete soft-deletes the secret, waits until Key Vault
 * shows it as deleted, and purges it so the name can be written again.
 *
 * <p>Thread-safe.
 */
final class AzureBackend implements SecretBackend {
  private static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(Capability.VERSIONING, Capability.STAGE_LABELS));
  private static final int LOCK_STRIPES = 64;
  private static final String TOKEN_MARK = "azure:1:";

  private final SecretClient client;
  private final AzureConfig config;
  private final AzureNames names;
  private final Clock clock;
  private final Duration deletePollInterval;
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
  private volatile boolean healthy = true;

  /**
   * @param client the Key Vault client, with its retries off and its timeouts set
   * @param config the mount's settings
   * @param clock the broker's clock (used only when Key Vault omits a timestamp)
   * @param deletePollInterval how long to wait between checks that Key Vault finished a soft delete
   */
  AzureBackend(SecretClient client, AzureConfig config, Clock clock, Duration deletePollInterval) {
    this.client = client;
    this.config = config;
    this.names = new AzureNames(config.namePrefix());
    this.clock = clock;
    this.deletePollInterval = deletePollInterval;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  @Override
  public String kind() {
    return AzureConfig.KIND;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    String name = ref.name();
    String kvName = names.toKeyVault(name);
    Loaded loaded = load(name, kvName, "reading");
    SecretState state = loaded.state();
    if (!state.managed()) {
      throw BackendException.notFound(name);
    }
    String id = ref.version() != null
        ? state.find(ref.version()).map(SecretState.Version::id).orElse(null)
        : state.holder(ref.stage());
    if (id == null) {
      throw BackendException.notFound(ref);
    }
    KeyVaultSecret secret;
    try {
      secret = call("reading", name, () -> client.getSecret(kvName, id));
    } catch (BackendException e) {
      throw e.code() == ErrorCode.NOT_FOUND ? BackendException.notFound(ref) : e;
    }
    byte[] bytes = StoredValue.bytesOf(name, secret.getValue(), secret.getProperties().getContentType());
    SecretState.Version version = state.find(id).orElseThrow();
    return new SecretVersion(name, new VersionInfo(id, state.stagesOf(id), version.created()),
        SecretValue.wrap(bytes));
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    String name = request.name();
    int size = request.value().size();
    if (size > config.maxValueBytes()) {
      throw BackendException.invalid("secret '" + name + "': value is " + size + " bytes, this mount allows at most "
          + config.maxValueBytes());
    }
    StoredValue stored = StoredValue.of(request.value().bytes());
    if (stored.storedBytes() > AzureConfig.KEY_VAULT_MAX_VALUE_BYTES) {
      throw BackendException.invalid("secret '" + name + "': a binary value is stored as base64, which makes this one "
          + stored.storedBytes() + " bytes; Key Vault allows at most " + AzureConfig.KEY_VAULT_MAX_VALUE_BYTES
          + " (binary values up to " + AzureConfig.KEY_VAULT_MAX_VALUE_BYTES / 4 * 3 + " bytes)");
    }
    String kvName = names.toKeyVault(name);
    ReentrantLock lock = lockOf(kvName);
    lock.lock();
    try {
      SecretState state = load(name, kvName, "writing").state();
      if (state.exists() && !state.managed()) {
        throw BackendException.conflict("Key Vault secret '" + kvName + "' (for secret '" + name
            + "') was not written by the broker; refusing to add versions to it");
      }
      BackendException.checkExpectedCurrent(request, state.holder(Stage.CURRENT));
      long generation = state.nextGeneration();
      SecretProperties properties = new SecretProperties()
          .setContentType(stored.contentType())
          .setEnabled(true)
          .setTags(state.newVersionTags(request.stage(), generation));
      KeyVaultSecret secret = new KeyVaultSecret(kvName, stored.text()).setProperties(properties);
      KeyVaultSecret written = call("writing", name, () -> client.setSecret(secret));
      SecretProperties out = written.getProperties();
      if (out.getVersion() == null) {
        throw new BackendException(ErrorCode.INTERNAL, "Key Vault returned no version id for secret '" + name + "'");
      }
      return new VersionInfo(out.getVersion(), Set.of(request.stage()), instant(out.getCreatedOn()));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    String after = afterName(prefix, page.token());
    String kvPrefix = names.toKeyVaultPrefix(prefix);
    NavigableSet<String> found = invoke("listing secrets under '" + prefix + "'", null, () -> {
      NavigableSet<String> matches = new TreeSet<>();
      for (SecretProperties p : client.listPropertiesOfSecrets()) {
        String kvName = p.getName();
        if (kvName == null || !kvName.toLowerCase(Locale.ROOT).startsWith(kvPrefix)) {
          continue;
        }
        Optional<String> name = names.fromKeyVault(kvName);
        Map<String, String> tags = p.getTags() == null ? Map.of() : p.getTags();
        if (name.isPresent() && name.get().equals(tags.get(SecretState.TAG_NAME))
            && name.get().startsWith(prefix) && name.get().compareTo(after) > 0) {
          matches.add(name.get());
        }
      }
      return matches;
    });
    List<SecretSummary> items = new ArrayList<>();
    String last = null;
    for (String name : found) {
      if (items.size() == page.size()) {
        break;
      }
      last = name;
      SecretState state = load(name, names.toKeyVault(name), "listing").state();
      if (!state.managed()) {
        continue;
      }
      List<SecretState.Version> versions = state.versions();
      items.add(new SecretSummary(name, state.holder(Stage.CURRENT), versions.get(0).created(), newest(versions)));
    }
    boolean more = last != null && found.higher(last) != null;
    return new Page<>(items, more ? token(last) : "");
  }

  @Override
  public SecretMetadata describe(String name) {
    SecretState state = load(name, names.toKeyVault(name), "describing").state();
    if (!state.managed()) {
      throw BackendException.notFound(name);
    }
    List<VersionInfo> versions = new ArrayList<>();
    for (SecretState.Version v : state.versions()) {
      versions.add(new VersionInfo(v.id(), state.stagesOf(v.id()), v.created()));
    }
    return new SecretMetadata(name, versions, state.versions().get(0).created(), newest(state.versions()));
  }

  @Override
  public void delete(String name) {
    String kvName = names.toKeyVault(name);
    ReentrantLock lock = lockOf(kvName);
    lock.lock();
    try {
      SecretState state = load(name, kvName, "deleting").state();
      if (!state.exists()) {
        if (purgeLeftover(name, kvName)) {
          return;
        }
        throw BackendException.notFound(name);
      }
      if (!state.managed()) {
        throw BackendException.notFound(name);
      }
      SyncPoller<DeletedSecret, Void> poller = call("deleting", name, () -> client.beginDeleteSecret(kvName));
      DeletedSecret deleted = poller.waitUntil(LongRunningOperationStatus.NOT_STARTED).getValue();
      if (deleted != null && deleted.getRecoveryId() == null) {
        return;
      }
      awaitSoftDeleted(name, kvName);
      purge(name, kvName);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    String kvName = names.toKeyVault(name);
    ReentrantLock lock = lockOf(kvName);
    lock.lock();
    try {
      Loaded loaded = load(name, kvName, "moving a stage of");
      SecretState state = loaded.state();
      if (!state.managed()) {
        throw BackendException.notFound(name);
      }
      SecretState.Version target = state.find(version)
          .orElseThrow(() -> BackendException.notFound(SecretRef.ofVersion(name, version)));
      Optional<Map<String, String>> tags = state.tagsForMove(target, stage, state.nextGeneration());
      if (tags.isPresent()) {
        updateTags(name, loaded.properties().get(target.id()), tags.get());
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void clearStage(String name, Stage stage) {
    String kvName = names.toKeyVault(name);
    ReentrantLock lock = lockOf(kvName);
    lock.lock();
    try {
      Loaded loaded = load(name, kvName, "clearing a stage of");
      SecretState state = loaded.state();
      if (!state.managed()) {
        throw BackendException.notFound(name);
      }
      String holder = state.holder(stage);
      if (holder == null) {
        return;
      }
      SecretState.Version version = state.find(holder).orElseThrow();
      updateTags(name, loaded.properties().get(holder),
          SecretState.tagsForClear(version, stage, state.nextGeneration()));
    } finally {
      lock.unlock();
    }
  }

  // ---- Key Vault calls ------------------------------------------------------------------------------

  /** A secret's state plus the SDK's view of each version, which updates need. */
  private record Loaded(SecretState state, Map<String, SecretProperties> properties) {}

  /** Lists every version of {@code kvName}; a secret Key Vault does not have loads as an empty state. */
  private Loaded load(String name, String kvName, String action) {
    return call(action, name, () -> {
      List<SecretState.Version> versions = new ArrayList<>();
      Map<String, SecretProperties> properties = new HashMap<>();
      try {
        for (SecretProperties p : client.listPropertiesOfSecretVersions(kvName)) {
          if (p.getVersion() == null) {
            continue;
          }
          versions.add(new SecretState.Version(p.getVersion(), instant(p.getCreatedOn()), p.getTags()));
          properties.put(p.getVersion(), p);
        }
      } catch (RuntimeException e) {
        if (!AzureErrors.isNotFound(e)) {
          throw e;
        }
        versions.clear();
        properties.clear();
      }
      return new Loaded(SecretState.of(name, versions), properties);
    });
  }

  private void updateTags(String name, SecretProperties properties, Map<String, String> tags) {
    properties.setTags(tags);
    call("moving a stage of", name, () -> client.updateSecretProperties(properties));
  }

  /** Waits until Key Vault lists {@code kvName} among its deleted secrets, which it does once deletion is done. */
  private void awaitSoftDeleted(String name, String kvName) {
    long deadline = System.nanoTime() + config.timeout().toNanos();
    while (true) {
      try {
        call("deleting", name, () -> client.getDeletedSecret(kvName));
        return;
      } catch (BackendException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw BackendException.unavailable("Key Vault did not finish deleting secret '" + name + "' within "
            + config.timeout().toMillis() + " ms; deleting it again completes the purge", null);
      }
      try {
        Thread.sleep(deletePollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw BackendException.unavailable("interrupted while deleting secret '" + name + "'", e);
      }
    }
  }

  private void purge(String name, String kvName) {
    try {
      call("purging", name, () -> client.purgeDeletedSecretWithResponse(kvName, Context.NONE));
    } catch (BackendException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return;
      }
      if (e.code() == ErrorCode.PERMISSION_DENIED) {
        throw new BackendException(ErrorCode.PERMISSION_DENIED, "secret '" + name + "' was deleted, but Key Vault"
            + " refused to purge it (the broker's identity lacks the purge permission, or the vault has purge"
            + " protection); its name cannot be written again until the vault's soft-delete retention ends",
            e.getCause());
      }
      throw e;
    }
  }

  /** Purges a soft-deleted secret the broker wrote under {@code kvName} (a delete that stopped half-way). */
  private boolean purgeLeftover(String name, String kvName) {
    DeletedSecret deleted;
    try {
      deleted = call("deleting", name, () -> client.getDeletedSecret(kvName));
    } catch (BackendException e) {
      if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.PERMISSION_DENIED) {
        return false;
      }
      throw e;
    }
    Map<String, String> tags = deleted.getProperties() == null ? null : deleted.getProperties().getTags();
    if (tags == null || !name.equals(tags.get(SecretState.TAG_NAME))) {
      return false;
    }
    purge(name, kvName);
    return true;
  }

  /** Runs one SDK call about secret {@code name}; {@code action} is a gerund ("reading"). */
  private <T> T call(String action, String name, Supplier<T> operation) {
    return invoke(action + " secret '" + name + "'", name, operation);
  }

  /** Runs one SDK call, keeps the health flag, and maps failures. */
  private <T> T invoke(String subject, String name, Supplier<T> operation) {
    try {
      T result = operation.get();
      healthy = true;
      return result;
    } catch (RuntimeException e) {
      BackendException mapped = AzureErrors.map(e, subject, name);
      healthy = mapped.code() != ErrorCode.UNAVAILABLE;
      throw mapped;
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private ReentrantLock lockOf(String kvName) {
    return locks[Math.floorMod(kvName.hashCode(), LOCK_STRIPES)];
  }

  private Instant instant(OffsetDateTime time) {
    return time == null ? clock.instant() : time.toInstant();
  }

  private static Instant newest(List<SecretState.Version> versions) {
    Instant newest = versions.get(0).created();
    for (SecretState.Version v : versions) {
      if (v.created().isAfter(newest)) {
        newest = v.created();
      }
    }
    return newest;
  }

  private static String token(String lastName) {
    return TOKEN_MARK + Base64.getUrlEncoder().withoutPadding().encodeToString(lastName.getBytes(UTF_8));
  }

  /** The last name of the previous page ("" for the first page). */
  private static String afterName(String prefix, String token) {
    if (token.isEmpty()) {
      return "";
    }
    String name = null;
    if (token.startsWith(TOKEN_MARK)) {
      try {
        name = new String(Base64.getUrlDecoder().decode(token.substring(TOKEN_MARK.length())), UTF_8);
      } catch (IllegalArgumentException e) {
        name = null;
      }
    }
    if (name == null || name.isEmpty() || !name.startsWith(prefix)) {
      throw BackendException.invalid("page token was not issued by this backend for prefix '" + prefix + "'");
    }
    return name;
  }
}
