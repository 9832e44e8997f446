package io.secretsbroker.core.rotation;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates secrets through a persisted state machine (see {@link RotationState}):
 * <ol>
 *   <li>claim: a conditional update moves the secret's row from {@code idle} to {@code pending_created} with a
 *       salted SHA-256 of the new value — the value itself is never stored;</li>
 *   <li>write the value to the backend as a {@link Stage#PENDING} version and record its id;</li>
 *   <li>read that version back by id and compare hashes → {@code verified};</li>
 *   <li>move {@link Stage#CURRENT} to it (the old current becomes previous) → {@code promoted};</li>
 *   <li>publish a {@link ChangeEvent.Type#ROTATED} event, drop cached entries, and return to {@code idle} with the
 *       previous version's grace deadline recorded.</li>
 * </ol>
 * Each state is recorded before the next step begins, so a rotation stopped anywhere (crash, failure) resumes from
 * its state ({@link #resumeAbandoned()}) without losing or duplicating a version: a pending version written just
 * before a crash is recognised by its hash instead of being written twice. Every transition is conditional on the
 * row's owner and state, so one secret is never rotated twice at once: a second request while one is in flight
 * fails with {@link Failure#FAILED_PRECONDITION}. Access checks are the caller's; thread-safe.
 */
public final class RotationEngine {
  private static final Logger log = LoggerFactory.getLogger(RotationEngine.class);

  /** Points between the steps of a rotation, where tests stop an engine to simulate a crash. */
  enum Step {
    /** The row moved to {@code pending_created}; nothing written to the backend yet. */
    CLAIMED,
    /** The backend holds the pending version; its id is not recorded yet. */
    WRITTEN,
    /** The pending version's id is recorded. */
    PENDING_CREATED,
    /** The row moved to {@code verified}. */
    VERIFIED,
    /** The backend's current stage moved; the row still says {@code verified}. */
    MOVED,
    /** The row moved to {@code promoted}; the change is not announced yet. */
    PROMOTED,
    /** The change was announced; the row is not idle yet. */
    ANNOUNCED
  }

  /** Called after each step; a test hook that throws stops the rotation there. */
  @FunctionalInterface
  interface StepHook {
    void after(Step step, String name);
  }

  /** A failure already recorded in the row (or that must not be recorded): rethrown as is. */
  private static final class Recorded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient BrokerException failure;

    Recorded(BrokerException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private final MountTable mounts;
  private final RotationPolicies policies;
  private final RotationStore store;
  private final ChangeFeed changes;
  private final RotationMetrics metrics;
  private final Clock clock;
  private final RotationSettings settings;
  private final SecureRandom random;
  private final ValueGenerator generator;
  private final StepHook hook;
  private final String owner;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  public RotationEngine(MountTable mounts, RotationPolicies policies, StateStore state, ChangeFeed changes,
      MeterRegistry registry, Clock clock, RotationSettings settings) {
    this(mounts, policies, state, changes, registry, clock, settings, new SecureRandom(), (step, name) -> {});
  }

  RotationEngine(MountTable mounts, RotationPolicies policies, StateStore state, ChangeFeed changes,
      MeterRegistry registry, Clock clock, RotationSettings settings, SecureRandom random, StepHook hook) {
    this.mounts = mounts;
    this.policies = policies;
    this.store = new RotationStore(state);
    this.changes = changes;
    this.metrics = new RotationMetrics(registry);
    this.clock = clock;
    this.settings = settings;
    this.random = random;
    this.generator = new ValueGenerator(random);
    this.hook = hook;
    byte[] id = new byte[6];
    random.nextBytes(id);
    this.owner = "engine-" + HexFormat.of().formatHex(id);
  }

  /** The policies this engine rotates by. */
  public RotationPolicies policies() {
    return policies;
  }

  /** The settings. */
  public RotationSettings settings() {
    return settings;
  }

  /**
   * Rotates a secret now.
   *
   * @param name the full name
   * @param suppliedValue the new value, or null to make one with the policy's generator; required when the
   *     generator is external, and otherwise used once instead of the generator. Not kept: the caller may clear it.
   * @throws BrokerException NOT_FOUND when the secret does not exist; FAILED_PRECONDITION when the generator is
   *     external and no value was supplied, or a rotation of the secret is already in flight, or the rotation was
   *     abandoned (superseded by a write, verification mismatch); UNAVAILABLE when the backend or state database
   *     failed — the rotation then stays where it stopped and is resumed later
   */
  public RotationOutcome rotate(String name, byte[] suppliedValue) {
    Mount mount = mounts.route(name);
    RotationPolicy policy = policies.policyFor(name);
    if (suppliedValue == null && policy.generator() instanceof Generator.External) {
      throw new BrokerException(Failure.FAILED_PRECONDITION, "secret '" + name + "' has an external generator: "
          + "rotating it needs a value (rule: an external generator requires RotateSecret.value)");
    }
    SecretMetadata meta = describe(mount, name);
    String base = meta.current().map(VersionInfo::version).orElse("");
    if (!inFlight.add(name)) {
      throw inProgress(name, store.find(name).orElse(null));
    }
    byte[] value = null;
    try {
      value = suppliedValue != null ? suppliedValue.clone() : generator.generate(policy.generator());
      byte[] salt = newSalt();
      long now = clock.millis();
      store.ensureRow(name, now);
      if (!store.claim(name, owner, base, hex(salt), digest(salt, value), suppliedValue != null, now)) {
        throw inProgress(name, store.find(name).orElse(null));
      }
      RotationRow row = store.find(name).orElseThrow(() -> lostOwnership(name));
      hook.after(Step.CLAIMED, name);
      return run(row, value, mount);
    } finally {
      if (value != null) {
        Arrays.fill(value, (byte) 0);
      }
      inFlight.remove(name);
    }
  }

  /**
   * Resumes every rotation left unfinished by an engine that is gone (a crash, or a failure whose retry wait has
   * passed), each from its recorded state. Failures are recorded in the rows, logged, and retried later.
   *
   * @return the rotations completed
   */
  public List<RotationOutcome> resumeAbandoned() {
    List<RotationOutcome> done = new ArrayList<>();
    long now = clock.millis();
    for (RotationRow row : store.notIdle()) {
      if (!isAbandoned(row, now)) {
        continue;
      }
      try {
        resume(row).ifPresent(done::add);
      } catch (BrokerException e) {
        log.warn("resuming the rotation of '{}' failed: {}", row.name(), e.getMessage());
      }
    }
    return done;
  }

  /** Whether an unfinished rotation may be resumed by this engine now. */
  boolean isAbandoned(RotationRow row, long nowMs) {
    if (row.state() == RotationState.IDLE || inFlight.contains(row.name()) || row.nextAttemptMs() > nowMs) {
      return false;
    }
    return row.owner().equals(owner) || settings.takeoverAfter().isZero()
        || row.updatedMs() + settings.takeoverAfter().toMillis() <= nowMs;
  }

  /**
   * Resumes one unfinished rotation from its recorded state.
   *
   * @return the outcome, or empty when another engine holds or changed the rotation meanwhile
   * @throws BrokerException when a step fails (recorded in the row)
   */
  Optional<RotationOutcome> resume(RotationRow seen) {
    String name = seen.name();
    if (!inFlight.add(name)) {
      return Optional.empty();
    }
    try {
      if (!store.takeOver(seen, owner, clock.millis())) {
        return Optional.empty();
      }
      RotationRow row = store.find(name).orElseThrow(() -> lostOwnership(name));
      log.info("resuming the rotation of '{}' from state {}", name, row.state().word());
      Mount mount;
      try {
        mount = mounts.route(name);
      } catch (BrokerException e) {
        store.aborted(name, owner, "no mount serves this name any more", 0, clock.millis());
        throw e;
      }
      return Optional.of(run(row, null, mount));
    } finally {
      inFlight.remove(name);
    }
  }

  /** The row of a secret, if it was ever rotated. */
  Optional<RotationRow> row(String name) {
    return store.find(name);
  }

  /** Every row, by name. */
  Map<String, RotationRow> rows() {
    return store.all();
  }

  /** Whether this engine is rotating {@code name} right now. */
  boolean inFlight(String name) {
    return inFlight.contains(name);
  }

  /** Forgets the idle rotation record of a secret deleted at {@code deletedAtMs}. */
  void forget(String name, long deletedAtMs) {
    store.forget(name, deletedAtMs);
  }

  /**
   * Ends the grace period of every previous version whose deadline has passed: the {@code previous} stage is
   * removed if the version that a rotation demoted still holds it.
   *
   * @return how many were retired
   */
  public int retireExpired() {
    int retired = 0;
    for (RotationRow row : store.retireDue(clock.millis())) {
      String name = row.name();
      try {
        Mount mount = mounts.route(name);
        String rel = mount.relative(name);
        Optional<VersionInfo> previous = mount.backend().describe(rel).withStage(Stage.PREVIOUS);
        if (previous.isPresent() && previous.get().version().equals(row.previousVersion())) {
          mount.backend().clearStage(rel, Stage.PREVIOUS);
          log.info("retired previous version {} of '{}' after its grace period", row.previousVersion(), name);
        }
        if (store.retired(name, row.retireAfterMs())) {
          retired++;
        }
      } catch (BackendException e) {
        if (e.code() == ErrorCode.NOT_FOUND) {
          store.retired(name, row.retireAfterMs());
        } else {
          log.warn("retiring the previous version of '{}' failed, will retry: {}", name, e.getMessage());
        }
      } catch (BrokerException e) {
        if (e.failure() == Failure.NOT_FOUND) {
          store.retired(name, row.retireAfterMs());
        } else {
          log.warn("retiring the previous version of '{}' failed, will retry: {}", name, e.getMessage());
        }
      }
    }
    return retired;
  }

  private RotationOutcome run(RotationRow start, byte[] value, Mount mount) {
    String name = start.name();
    try {
      return drive(start, value, mount);
    } catch (Recorded r) {
      throw r.failure;
    } catch (BackendException e) {
      throw failed(name, mount, BrokerException.from(e, mount.prefix()));
    } catch (BrokerException e) {
      throw failed(name, mount, e);
    } catch (RuntimeException e) {
      log.error("rotation of '{}' failed unexpectedly", name, e);
      throw keep(name, mount, new BrokerException(Failure.INTERNAL, "rotation of '" + name
          + "' failed unexpectedly", e));
    }
  }

  private RotationOutcome drive(RotationRow start, byte[] value, Mount mount) {
    RotationRow row = start;
    String rel = mount.relative(row.name());
    if (row.state() == RotationState.PENDING_CREATED) {
      if (row.pendingVersion().isEmpty()) {
        row = writePending(row, value, mount, rel);
      }
      row = verify(row, mount, rel);
    }
    if (row.state() == RotationState.VERIFIED) {
      row = promote(row, mount, rel);
    }
    if (row.state() == RotationState.PROMOTED) {
      return finish(row, mount, rel);
    }
    throw new IllegalStateException("rotation of '" + row.name() + "' in unexpected state " + row.state());
  }

  private RotationRow writePending(RotationRow row, byte[] value, Mount mount, String rel) {
    String name = row.name();
    Optional<String> adopted = ownPendingVersion(row, mount, rel);
    if (adopted.isPresent()) {
      log.info("rotation of '{}': found its pending version {} written before an interruption", name,
          adopted.get());
      return recordPending(row, adopted.get());
    }
    byte[] v = value;
    boolean madeHere = false;
    if (v == null) {
      if (row.supplied()) {
        throw abort(row, mount, Failure.FAILED_PRECONDITION, "the value supplied to rotate secret '" + name
            + "' was lost before it reached the backend; call RotateSecret again with the value");
      }
      Generator g = policies.policyFor(name).generator();
      if (g instanceof Generator.External) {
        throw abort(row, mount, Failure.FAILED_PRECONDITION, "secret '" + name
            + "' has an external generator now: rotating it needs a value");
      }
      v = generator.generate(g);
      madeHere = true;
      byte[] salt = newSalt();
      if (!store.newValue(name, owner, hex(salt), digest(salt, v), clock.millis())) {
        Arrays.fill(v, (byte) 0);
        throw new Recorded(lostOwnership(name));
      }
    }
    VersionInfo written;
    try {
      written = mount.backend().write(WriteRequest.pending(rel, SecretValue.of(v)));
    } catch (BackendException e) {
      if (e.code() == ErrorCode.INVALID_ARGUMENT || e.code() == ErrorCode.PERMISSION_DENIED
          || e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.CONFLICT) {
        BrokerException be = BrokerException.from(e, mount.prefix());
        throw abort(row, mount, be.failure(), be.getMessage());
      }
      throw e; // the write may have happened: the resume looks for the pending version by its hash
    } finally {
      if (madeHere) {
        Arrays.fill(v, (byte) 0);
      }
    }
    hook.after(Step.WRITTEN, name);
    RotationRow next = recordPending(row, written.version());
    hook.after(Step.PENDING_CREATED, name);
    return next;
  }

  private RotationRow recordPending(RotationRow row, String version) {
    if (!store.pendingWritten(row.name(), owner, version, clock.millis())) {
      throw new Recorded(lostOwnership(row.name()));
    }
    return reload(row.name());
  }

  /** The backend's pending version if it holds this rotation's value (written before an interruption). */
  private Optional<String> ownPendingVersion(RotationRow row, Mount mount, String rel) {
    Optional<VersionInfo> pending = describe(mount, row.name()).withStage(Stage.PENDING);
    if (pending.isEmpty() || row.valueHash().isEmpty()) {
      return Optional.empty();
    }
    SecretVersion sv = mount.backend().delegate().read(SecretRef.ofVersion(rel, pending.get().version()));
    return matches(row, sv) ? Optional.of(pending.get().version()) : Optional.empty();
  }

  private RotationRow verify(RotationRow row, Mount mount, String rel) {
    String name = row.name();
    SecretVersion sv;
    try {
      sv = mount.backend().delegate().read(SecretRef.ofVersion(rel, row.pendingVersion()));
    } catch (BackendException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        throw abort(row, mount, Failure.FAILED_PRECONDITION, "pending version " + row.pendingVersion()
            + " of secret '" + name + "' vanished before it was verified");
      }
      throw e;
    }
    if (!matches(row, sv)) {
      clearPendingIfHeld(mount, rel, row.pendingVersion());
      throw abort(row, mount, Failure.INTERNAL, "verification failed: pending version " + row.pendingVersion()
          + " of secret '" + name + "' read back differs from the value written");
    }
    if (!store.verified(name, owner, clock.millis())) {
      throw new Recorded(lostOwnership(name));
    }
    hook.after(Step.VERIFIED, name);
    return reload(name);
  }

  private RotationRow promote(RotationRow row, Mount mount, String rel) {
    String name = row.name();
    SecretMetadata meta = describe(mount, name);
    String current = meta.current().map(VersionInfo::version).orElse("");
    String previous;
    if (current.equals(row.pendingVersion())) {
      previous = meta.withStage(Stage.PREVIOUS).map(VersionInfo::version).orElse("");
    } else {
      if (!current.equals(row.baseVersion())) {
        clearPendingIfHeld(mount, rel, row.pendingVersion());
        throw abort(row, mount, Failure.FAILED_PRECONDITION, "rotation of secret '" + name + "' abandoned: version "
            + (current.isEmpty() ? "(none)" : current) + " became current while it ran");
      }
      mount.backend().moveStage(rel, Stage.CURRENT, row.pendingVersion());
      previous = current;
    }
    hook.after(Step.MOVED, name);
    if (!store.promoted(name, owner, previous, clock.millis())) {
      throw new Recorded(lostOwnership(name));
    }
    hook.after(Step.PROMOTED, name);
    return reload(name);
  }

  private RotationOutcome finish(RotationRow row, Mount mount, String rel) {
    String name = row.name();
    changes.publish(ChangeEvent.Type.ROTATED, name, row.pendingVersion());
    mount.backend().invalidate(rel);
    hook.after(Step.ANNOUNCED, name);
    long now = clock.millis();
    long retireAfter = row.previousVersion().isEmpty() ? 0
        : now + policies.policyFor(name).grace().toMillis();
    if (!store.finished(name, owner, retireAfter, now)) {
      throw new Recorded(lostOwnership(name));
    }
    metrics.rotated(mount.kind());
    log.info("rotated '{}': version {} is current, {} previous", name, row.pendingVersion(),
        row.previousVersion().isEmpty() ? "none" : row.previousVersion());
    return new RotationOutcome(name, row.pendingVersion(), row.previousVersion());
  }

  private void clearPendingIfHeld(Mount mount, String rel, String version) {
    try {
      Optional<VersionInfo> pending = mount.backend().describe(rel).withStage(Stage.PENDING);
      if (pending.isPresent() && pending.get().version().equals(version)) {
        mount.backend().clearStage(rel, Stage.PENDING);
      }
    } catch (BackendException e) {
      log.warn("could not clear the pending stage of '{}': {}", mount.absolute(rel), e.getMessage());
    }
  }

  /**
   * Records a failed step: a secret or version that is gone ends the rotation; anything else leaves it where it
   * stopped, to be resumed after the backoff.
   */
  private BrokerException failed(String name, Mount mount, BrokerException failure) {
    if (failure.failure() == Failure.NOT_FOUND) {
      RotationRow row = store.find(name).orElse(null);
      if (row != null && row.owner().equals(owner)) {
        return abort(row, mount, Failure.NOT_FOUND, "rotation of secret '" + name + "' abandoned: "
            + failure.getMessage()).failure;
      }
    }
    return keep(name, mount, failure);
  }

  /** Records a failure that leaves the rotation where it stopped, for a retry after the backoff. */
  private BrokerException keep(String name, Mount mount, BrokerException failure) {
    metrics.failed(mount.kind());
    RotationRow row = store.find(name).orElse(null);
    int attempt = row == null ? 1 : Math.max(1, row.attempt());
    long now = clock.millis();
    try {
      store.failed(name, owner, failure.getMessage(), now + settings.backoff(attempt).toMillis(), now);
    } catch (BrokerException e) {
      log.warn("could not record the failed rotation of '{}': {}", name, e.getMessage());
    }
    log.warn("rotation of '{}' stopped at state {}: {}", name, row == null ? "?" : row.state().word(),
        failure.getMessage());
    return failure;
  }

  /** Records a failure that ends the rotation (back to idle) and returns the exception to throw. */
  private Recorded abort(RotationRow row, Mount mount, Failure failure, String message) {
    metrics.failed(mount.kind());
    long now = clock.millis();
    store.aborted(row.name(), owner, message, now + settings.backoff(Math.max(1, row.attempt())).toMillis(), now);
    log.warn("rotation of '{}' abandoned: {}", row.name(), message);
    return new Recorded(new BrokerException(failure, message));
  }

  private RotationRow reload(String name) {
    return store.find(name).orElseThrow(() -> new Recorded(lostOwnership(name)));
  }

  private static SecretMetadata describe(Mount mount, String name) {
    try {
      return mount.backend().describe(mount.relative(name));
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
  }

  private static BrokerException inProgress(String name, RotationRow row) {
    String where = row == null || row.state() == RotationState.IDLE ? ""
        : " (state " + row.state().word() + (row.lastError().isEmpty() ? "" : ", last error: " + row.lastError())
            + ")";
    return new BrokerException(Failure.FAILED_PRECONDITION, "a rotation of secret '" + name
        + "' is already in progress" + where + "; it finishes or is resumed by the scheduler, try again later");
  }

  private static BrokerException lostOwnership(String name) {
    return new BrokerException(Failure.FAILED_PRECONDITION, "the rotation of secret '" + name
        + "' was taken over by another broker");
  }

  private boolean matches(RotationRow row, SecretVersion sv) {
    byte[] bytes = sv.value().bytes();
    try {
      byte[] salt = HexFormat.of().parseHex(row.salt());
      return MessageDigest.isEqual(digest(salt, bytes).getBytes(StandardCharsets.US_ASCII),
          row.valueHash().getBytes(StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private byte[] newSalt() {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return salt;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** Hex SHA-256 of salt then value. */
  static String digest(byte[] salt, byte[] value) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt);
      md.update(value);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
