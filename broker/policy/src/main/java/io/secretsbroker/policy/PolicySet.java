package io.secretsbroker.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of named policies that decides access requests with Vault's rules.
 *
 * <p>A request is decided against the union of the policies named for the caller (names not in
 * the set are ignored, as Vault ignores a token's unknown policies):
 * <ol>
 *   <li>a pattern equal to the path (no {@code +}, no trailing {@code *}) decides outright;</li>
 *   <li>otherwise the single highest-priority matching pattern decides, by Vault's five rules:
 *       the first wildcard ({@code +} or the trailing {@code *}) later in the pattern wins; then no
 *       trailing {@code *} beats a trailing {@code *}; then fewer {@code +} segments win; then the
 *       longer pattern; then the lexicographically larger;</li>
 *   <li>the same pattern in several policies is one rule whose capabilities are the union, or
 *       {@code deny} when any of them denies; different patterns are never combined;</li>
 *   <li>no matching pattern means denied.</li>
 * </ol>
 * The rules of each distinct combination of policy names are compiled once and cached (up to
 * {@value #MAX_CACHED_COMBINATIONS} combinations), so a check is a hash lookup, one walk over the
 * path and a scan of the {@code +} patterns. Thread-safe.
 */
public final class PolicySet {
  /** How many distinct combinations of policy names keep their compiled rules cached. */
  public static final int MAX_CACHED_COMBINATIONS = 4096;

  private static final PolicySet EMPTY = new PolicySet(Map.of());

  private final Map<String, Policy> policies;
  private final ConcurrentHashMap<Set<String>, Acl> compiled = new ConcurrentHashMap<>();

  private PolicySet(Map<String, Policy> policies) {
    this.policies = policies;
  }

  /** Returns the set holding no policy, which denies everything. */
  public static PolicySet empty() {
    return EMPTY;
  }

  /**
   * Returns a set of the given policies.
   *
   * @throws IllegalArgumentException if two policies have the same name
   */
  public static PolicySet of(Collection<Policy> policies) {
    TreeMap<String, Policy> byName = new TreeMap<>();
    for (Policy policy : policies) {
      if (byName.put(policy.name(), policy) != null) {
        throw new IllegalArgumentException("two policies are named " + Texts.quote(policy.name()));
      }
    }
    return new PolicySet(Collections.unmodifiableMap(byName));
  }

  /** Returns the names of the policies in this set, sorted. */
  public Set<String> names() {
    return policies.keySet();
  }

  /** Returns the policy named {@code name}, if this set holds it. */
  public Optional<Policy> policy(String name) {
    return Optional.ofNullable(policies.get(name));
  }

  /**
   * Decides whether the union of the named policies grants {@code capability} on {@code path}.
   *
   * @param policyNames the caller's policies, for example from {@link PolicyBindings#policiesFor}
   * @param capability the capability needed; not {@link Capability#DENY}
   * @param path the policy path, for example from {@link PolicyPaths}
   * @return the decision and its explanation
   */
  public Decision decide(Set<String> policyNames, Capability capability, String path) {
    return decide(policyNames, new AccessRequest(capability, path));
  }

  /**
   * Decides whether the union of the named policies grants the request.
   *
   * @param policyNames the caller's policies, for example from {@link PolicyBindings#policiesFor}
   * @param request the capability and policy path, for example from {@link PolicyPaths#forOperation}
   * @return the decision and its explanation
   */
  public Decision decide(Set<String> policyNames, AccessRequest request) {
    Objects.requireNonNull(policyNames, "policyNames");
    Objects.requireNonNull(request, "request");
    return acl(policyNames).check(request.capability(), request.path());
  }

  private Acl acl(Set<String> names) {
    Acl acl = compiled.get(names);
    if (acl != null) {
      return acl;
    }
    // In name order, so that merged constraints do not depend on the order of the caller's set.
    List<Policy> chosen = new ArrayList<>();
    for (Map.Entry<String, Policy> policy : policies.entrySet()) {
      if (names.contains(policy.getKey())) {
        chosen.add(policy.getValue());
      }
    }
    acl = Acl.compile(chosen);
    if (compiled.size() < MAX_CACHED_COMBINATIONS) {
      compiled.putIfAbsent(Set.copyOf(names), acl);
    }
    return acl;
  }

  @Override
  public String toString() {
    return "PolicySet" + names();
  }
}
