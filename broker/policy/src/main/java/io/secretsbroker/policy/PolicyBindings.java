package io.secretsbroker.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds principals to policy names, as configured: each key is a principal pattern, each value
 * the names of the policies it grants.
 *
 * <p>A pattern is either exact ({@code spiffe://prod/trading/pricer}) or ends in {@code *}, which
 * matches every principal starting with the rest ({@code spiffe://prod/trading/*}; {@code *} alone
 * matches every principal). {@code *} anywhere else is rejected. A principal gets the <b>union</b>
 * of the policies of <b>every</b> pattern it matches, exact and glob alike, plus the policies
 * attached to its token; no binding takes precedence over another, so adding a binding can only
 * add policies. Immutable and thread-safe; resolutions of a principal are cached (up to
 * {@value #MAX_CACHED_PRINCIPALS} principals).
 */
public final class PolicyBindings {
  /** How many principals keep their resolved bindings cached. */
  public static final int MAX_CACHED_PRINCIPALS = 10_000;

  private final Map<String, List<String>> exact;
  private final List<Map.Entry<String, List<String>>> globs;
  private final ConcurrentHashMap<String, Set<String>> resolved = new ConcurrentHashMap<>();

  private PolicyBindings(Map<String, List<String>> exact, List<Map.Entry<String, List<String>>> globs) {
    this.exact = exact;
    this.globs = globs;
  }

  /** Returns bindings that bind no principal. */
  public static PolicyBindings empty() {
    return new PolicyBindings(Map.of(), List.of());
  }

  /**
   * Returns bindings from principal patterns to policy names.
   *
   * @param bindings principal pattern to policy names
   * @throws IllegalArgumentException naming the pattern, if a pattern is empty or has {@code *}
   *     other than last, or a policy name is not {@code [A-Za-z0-9._-]+}
   */
  public static PolicyBindings of(Map<String, ? extends Collection<String>> bindings) {
    Map<String, List<String>> exact = new HashMap<>();
    List<Map.Entry<String, List<String>>> globs = new ArrayList<>();
    for (Map.Entry<String, ? extends Collection<String>> binding : bindings.entrySet()) {
      String pattern = Objects.requireNonNull(binding.getKey(), "principal pattern");
      if (pattern.isEmpty()) {
        throw new IllegalArgumentException("empty principal pattern; use \"*\" to match every principal");
      }
      int star = pattern.indexOf('*');
      if (star >= 0 && star != pattern.length() - 1) {
        throw new IllegalArgumentException("principal pattern " + Texts.quote(pattern)
            + ": '*' is allowed only as the last character");
      }
      List<String> names = List.copyOf(Objects.requireNonNull(binding.getValue(), "policies of " + pattern));
      for (String name : names) {
        if (!Texts.isPolicyName(name)) {
          throw new IllegalArgumentException("principal pattern " + Texts.quote(pattern) + ": invalid policy name "
              + Texts.quote(name) + " (use [A-Za-z0-9._-])");
        }
      }
      if (star < 0) {
        exact.put(pattern, names);
      } else {
        globs.add(Map.entry(pattern.substring(0, star), names));
      }
    }
    return new PolicyBindings(Map.copyOf(exact), List.copyOf(globs));
  }

  /**
   * Returns the names of the policies bound to {@code principal}: the union over every matching
   * pattern, sorted.
   */
  public Set<String> policiesFor(String principal) {
    Objects.requireNonNull(principal, "principal");
    Set<String> cached = resolved.get(principal);
    if (cached != null) {
      return cached;
    }
    SortedSet<String> names = new TreeSet<>();
    List<String> direct = exact.get(principal);
    if (direct != null) {
      names.addAll(direct);
    }
    for (Map.Entry<String, List<String>> glob : globs) {
      if (principal.startsWith(glob.getKey())) {
        names.addAll(glob.getValue());
      }
    }
    Set<String> result = Collections.unmodifiableSortedSet(names);
    if (resolved.size() < MAX_CACHED_PRINCIPALS) {
      resolved.putIfAbsent(principal, result);
    }
    return result;
  }

  /**
   * Returns the names of the policies of {@code principal} plus those attached to its token,
   * sorted.
   *
   * @param principal the authenticated principal
   * @param tokenPolicies policy names attached to the caller's token; empty for mTLS callers
   */
  public Set<String> policiesFor(String principal, Collection<String> tokenPolicies) {
    Set<String> bound = policiesFor(principal);
    if (tokenPolicies.isEmpty() || bound.containsAll(tokenPolicies)) {
      return bound;
    }
    SortedSet<String> names = new TreeSet<>(bound);
    names.addAll(tokenPolicies);
    return Collections.unmodifiableSortedSet(names);
  }
}
