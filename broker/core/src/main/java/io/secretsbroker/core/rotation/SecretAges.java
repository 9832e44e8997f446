package io.secretsbroker.core.rotation;

import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Ages of secrets and whether they are due for rotation, for auditors' reports and the rotation listing. Reads
 * every mount that may hold names under a prefix (no access check: callers check {@code audit} or {@code list}).
 */
public final class SecretAges {
  /** The default rotation interval: 90 days. */
  public static final Duration DEFAULT_INTERVAL = RotationPolicy.DEFAULT_INTERVAL;

  /**
   * How old one secret's current version is.
   *
   * @param name the full name
   * @param updatedAt when its current version was written
   * @param ageDays whole days since then
   * @param dueAt when it is due for rotation
   * @param rotationDue whether that time has passed
   */
  public record Age(String name, Instant updatedAt, long ageDays, Instant dueAt, boolean rotationDue) {}

  private final MountTable mounts;
  private final Supplier<Function<String, Duration>> intervals;
  private final Clock clock;

  /**
   * @param intervalOf the rotation interval in force for a full secret name
   */
  public SecretAges(MountTable mounts, Function<String, Duration> intervalOf, Clock clock) {
    this.mounts = mounts;
    this.intervals = () -> intervalOf;
    this.clock = clock;
  }

  /** Ages by the interval of each secret's rotation policy (read once per listing). */
  public SecretAges(MountTable mounts, RotationPolicies policies, Clock clock) {
    this.mounts = mounts;
    this.intervals = () -> policies.snapshot()::intervalOf;
    this.clock = clock;
  }

  /** Every secret under {@code prefix} with its age, by name. */
  public List<Age> under(String prefix) {
    return under(prefix, null);
  }

  /**
   * Every secret under {@code prefix} with its age, by name; a mount whose listing fails is skipped and reported to
   * {@code onMountFailure} (when null, the failure is thrown).
   */
  public List<Age> under(String prefix, BiConsumer<String, io.secretsbroker.core.BrokerException> onMountFailure) {
    Instant now = clock.instant();
    Function<String, Duration> intervalOf = intervals.get();
    List<Age> out = new ArrayList<>();
    for (Mount m : mounts.mountsFor(prefix)) {
      if (onMountFailure != null) {
        try {
          out.addAll(ofMount(m, prefix, intervalOf, now));
        } catch (io.secretsbroker.core.BrokerException e) {
          onMountFailure.accept(m.prefix(), e);
        }
      } else {
        out.addAll(ofMount(m, prefix, intervalOf, now));
      }
    }
    out.sort(Comparator.comparing(Age::name));
    return out;
  }

  private List<Age> ofMount(Mount m, String prefix, Function<String, Duration> intervalOf, Instant now) {
    List<Age> out = new ArrayList<>();
    String rel = prefix.startsWith(m.prefix()) ? prefix.substring(m.prefix().length()) : "";
    String token = "";
    do {
      Page<SecretSummary> page;
      try {
        page = m.backend().list(rel, new PageRequest(PageRequest.MAX_SIZE, token));
      } catch (BackendException e) {
        throw io.secretsbroker.core.BrokerException.from(e, m.prefix());
      }
      for (SecretSummary s : page.items()) {
        String full = m.absolute(s.name());
        if (mounts.route(full) != m) {
          continue;
        }
        Instant updated = s.updatedAt();
        Instant due = updated.plus(intervalOf.apply(full));
        out.add(new Age(full, updated, Duration.between(updated, now).toDays(), due, !now.isBefore(due)));
      }
      token = page.nextPageToken();
    } while (!token.isEmpty());
    return out;
  }
}
