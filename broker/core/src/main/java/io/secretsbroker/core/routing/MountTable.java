package io.secretsbroker.core.routing;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The mounts of a broker; routes a name to the mount with the longest matching prefix. Immutable. */
public final class MountTable implements AutoCloseable {
  private final List<Mount> byLongestPrefix;

  /**
   * @throws IllegalArgumentException when two mounts share a prefix
   */
  public MountTable(List<Mount> mounts) {
    Set<String> seen = new HashSet<>();
    for (Mount m : mounts) {
      if (!seen.add(m.prefix())) {
        throw new IllegalArgumentException("two mounts share the prefix '" + m.prefix() + "'");
      }
    }
    List<Mount> sorted = new ArrayList<>(mounts);
    sorted.sort(Comparator.comparingInt((Mount m) -> m.prefix().length()).reversed());
    this.byLongestPrefix = List.copyOf(sorted);
  }

  /**
   * The mount serving {@code name}.
   *
   * @throws BrokerException {@link Failure#NOT_FOUND} when no mount's prefix matches (no root mount)
   */
  public Mount route(String name) {
    for (Mount m : byLongestPrefix) {
      if (name.startsWith(m.prefix()) && name.length() > m.prefix().length()) {
        return m;
      }
    }
    throw new BrokerException(Failure.NOT_FOUND, "no mount serves the name '" + name + "'");
  }

  /** The mount whose prefix is exactly {@code prefix}, if any. */
  public Optional<Mount> byPrefix(String prefix) {
    return byLongestPrefix.stream().filter(m -> m.prefix().equals(prefix)).findFirst();
  }

  /**
   * The mounts that may hold names starting with {@code prefix}, in prefix order: the mount routing the prefix
   * itself, and every mount nested under the prefix.
   */
  public List<Mount> mountsFor(String prefix) {
    List<Mount> out = new ArrayList<>();
    for (Mount m : byLongestPrefix) {
      boolean routesPrefix = prefix.startsWith(m.prefix());
      boolean nestedUnder = m.prefix().startsWith(prefix);
      if (routesPrefix || nestedUnder) {
        out.add(m);
      }
    }
    // The longest mount routing the prefix shadows shorter ones for names under it.
    Optional<Mount> router = byLongestPrefix.stream().filter(m -> prefix.startsWith(m.prefix())).findFirst();
    out.removeIf(m -> prefix.startsWith(m.prefix()) && router.isPresent() && m != router.get());
    out.sort(Comparator.comparing(Mount::prefix));
    return out;
  }

  /** Every mount, longest prefix first. */
  public List<Mount> mounts() {
    return byLongestPrefix;
  }

  @Override
  public void close() {
    byLongestPrefix.forEach(m -> m.backend().close());
  }
}
