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
import java.util.function.Function;

/**
 * Ages of secrets and whether they are due for rotation, for auditors' reports and the rotation listing. Reads
 * every mount that may hold names under a prefix (no access check: callers check {@code audit} or {@code list}).
 */
public final class SecretAges {
  /** The default rotation interval: 90 days. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofDays(90);

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
  private final Function<String, Duration> intervalOf;
  private final Clock clock;

  /**
   * @param intervalOf the rotation interval in force for a full secret name
   */
  public SecretAges(MountTable mounts, Function<String, Duration> intervalOf, Clock clock) {
    this.mounts = mounts;
    this.intervalOf = intervalOf;
    this.clock = clock;
  }

  /** Every secret under {@code prefix} with its age, by name. */
  public List<Age> under(String prefix) {
    Instant now = clock.instant();
    List<Age> out = new ArrayList<>();
    for (Mount m : mounts.mountsFor(prefix)) {
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
    }
    out.sort(Comparator.comparing(Age::name));
    return out;
  }
}
