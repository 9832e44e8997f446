package io.secretsbroker.core.rotation;

import io.secretsbroker.core.PageTokens;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.SecretNames;
import io.secretsbroker.core.ServiceLimits;
import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.VersionInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The request path for rotation: validate → authorize → engine or policies. Every method takes the authenticated
 * {@link Principal} and full secret names; every failure is a {@link BrokerException} with a caller-safe message.
 * Also forgets a deleted secret's policy override and idle rotation record when the change feed reports the
 * delete. Thread-safe.
 */
public final class RotationService {
  /** The longest look-ahead {@link #listDue} accepts. */
  public static final Duration MAX_WITHIN = Duration.ofDays(3650);

  private final MountTable mounts;
  private final AccessControl access;
  private final RotationEngine engine;
  private final RotationPolicies policies;
  private final SecretAges ages;
  private final ServiceLimits limits;
  private final Clock clock;

  public RotationService(MountTable mounts, AccessControl access, RotationEngine engine, SecretAges ages,
      ServiceLimits limits, ChangeFeed changes, Clock clock) {
    this.mounts = mounts;
    this.access = access;
    this.engine = engine;
    this.policies = engine.policies();
    this.ages = ages;
    this.limits = limits;
    this.clock = clock;
    changes.subscribe(this::onChange);
  }

  private void onChange(ChangeEvent e) {
    if (e.type() == ChangeEvent.Type.DELETED) {
      policies.forget(e.name(), e.time());
      engine.forget(e.name(), e.time().toEpochMilli());
    }
  }

  /**
   * Rotates a secret now (see {@link RotationEngine#rotate}); needs {@code rotate} on the secret.
   *
   * @param value the new value, or null to use the policy's generator
   */
  public RotationOutcome rotate(Principal caller, String name, byte[] value) {
    SecretNames.requireValidName("name", name);
    if (value != null && value.length == 0) {
      throw BrokerException.invalid("value", "must not be empty when set (leave it unset to generate one)");
    }
    if (value != null && value.length > limits.maxValueBytes()) {
      throw BrokerException.invalid("value", "must be at most " + limits.maxValueBytes() + " bytes, was "
          + value.length);
    }
    access.require(caller, Operation.ROTATE_SECRET, name);
    return engine.rotate(name, value);
  }

  /** A secret's rotation status; needs {@code read} on the secret's metadata. */
  public RotationStatus status(Principal caller, String name) {
    SecretNames.requireValidName("name", name);
    access.require(caller, Operation.GET_ROTATION_STATUS, name);
    return statusOf(describe(name));
  }

  /**
   * The rotation status of a secret already described (no access check: for {@code DescribeSecret}, which
   * checked the same capability).
   *
   * @param metadata the secret's metadata under its full name
   */
  public RotationStatus statusOf(SecretMetadata metadata) {
    String name = metadata.name();
    RotationPolicy policy = policies.policyFor(name);
    Optional<RotationRow> row = engine.row(name);
    Instant currentSince = metadata.current().map(VersionInfo::createdAt).orElse(metadata.updatedAt());
    Optional<Instant> lastRotated = row.filter(r -> r.lastRotatedMs() > 0)
        .map(r -> Instant.ofEpochMilli(r.lastRotatedMs()));
    return new RotationStatus(name, policy, row.map(RotationRow::state).orElse(RotationState.IDLE), lastRotated,
        metadata.createdAt(), currentSince.plus(policy.interval()), row.map(RotationRow::pendingVersion).orElse(""),
        row.map(RotationRow::lastError).orElse(""), row.map(RotationRow::attempt).orElse(0));
  }

  /**
   * Sets (or, with an empty override, clears) a secret's own policy; needs {@code rotate} on the secret.
   *
   * @throws BrokerException NOT_FOUND when the secret does not exist
   */
  public RotationStatus setPolicy(Principal caller, String name, PolicyOverride override) {
    SecretNames.requireValidName("name", name);
    access.require(caller, Operation.SET_ROTATION_POLICY, name);
    SecretMetadata meta = describe(name);
    policies.set(name, override, caller.name(), clock.instant());
    return statusOf(meta);
  }

  /**
   * Secrets whose rotation falls due within {@code within} from now, most overdue first, among those the caller
   * may {@code list}; secrets the caller may not list are left out silently.
   */
  public Page<DueRotation> listDue(Principal caller, Duration within, PageRequest page) {
    if (within.isNegative() || within.compareTo(MAX_WITHIN) > 0) {
      throw BrokerException.invalid("within", "must be between 0 and 3650d");
    }
    int offset = PageTokens.decodeOffset("r", page.token());
    Instant now = clock.instant();
    Instant horizon = now.plus(within);
    List<DueRotation> due = ages.under("").stream()
        .filter(a -> !a.dueAt().isAfter(horizon))
        .filter(a -> access.allows(caller, Operation.LIST_DUE_ROTATIONS, a.name()))
        .map(a -> new DueRotation(a.name(), a.ageDays(), a.dueAt(), !a.dueAt().isAfter(now)))
        .sorted(Comparator.comparing(DueRotation::dueAt).thenComparing(DueRotation::name))
        .toList();
    int from = Math.min(offset, due.size());
    int to = Math.min(from + page.size(), due.size());
    return new Page<>(due.subList(from, to), to < due.size() ? PageTokens.encode("r", to) : "");
  }

  private SecretMetadata describe(String name) {
    Mount mount = mounts.route(name);
    try {
      return mount.backend().describe(mount.relative(name)).withName(name);
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
  }


}
