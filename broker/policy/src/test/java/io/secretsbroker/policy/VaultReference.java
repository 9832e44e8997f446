package io.secretsbroker.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A deliberately plain model of Vault's {@code NewACL} + {@code AllowOperation} +
 * {@code CheckAllowedFromNonExactPaths} (vault/acl.go), written from its documented behaviour
 * without any of the production code's data structures, to cross-check {@link Acl}. For a LIST it
 * follows {@code AllowOperation}'s order: exact path, exact path without one trailing slash, then
 * (path ending in "/") the non-exact rules on the path without the slash (PR #23874), then the
 * non-exact rules on the path.
 */
final class VaultReference {
  private final Map<String, EnumSet<Capability>> exact = new HashMap<>();
  private final Map<String, EnumSet<Capability>> prefix = new HashMap<>();
  private final Map<String, EnumSet<Capability>> segment = new HashMap<>();
  private final Map<String, String> written = new HashMap<>();

  VaultReference(List<Policy> policies) {
    for (Policy policy : policies) {
      for (PathRule rule : policy.rules()) {
        String p = rule.pattern();
        boolean hasSegmentWildcards = p.equals("+") || p.contains("/+") || p.startsWith("+/");
        Map<String, EnumSet<Capability>> tree;
        String key = p;
        if (hasSegmentWildcards) {
          tree = segment;
        } else if (p.endsWith("*")) {
          tree = prefix;
          key = p.substring(0, p.length() - 1);
        } else {
          tree = exact;
        }
        written.put(tree == prefix ? "prefix:" + key : key, p);
        EnumSet<Capability> existing = tree.get(key);
        if (existing == null) {
          tree.put(key, EnumSet.copyOf(withNone(rule.capabilities())));
        } else if (existing.contains(Capability.DENY)) {
          continue;
        } else if (rule.capabilities().contains(Capability.DENY)) {
          existing.clear();
          existing.add(Capability.DENY);
        } else {
          existing.addAll(rule.capabilities());
        }
      }
    }
  }

  private static Set<Capability> withNone(Set<Capability> capabilities) {
    return capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : capabilities;
  }

  /** The deciding pattern (as written) and its capabilities, or empty when none matches. */
  Optional<Map.Entry<String, EnumSet<Capability>>> decide(String requestPath, boolean list) {
    String path = requestPath;
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    if (exact.containsKey(path)) {
      return Optional.of(Map.entry(path, exact.get(path)));
    }
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (list && exact.containsKey(trimmed)) {
      return Optional.of(Map.entry(trimmed, exact.get(trimmed)));
    }
    if (list && path.endsWith("/")) {
      Optional<Map.Entry<String, EnumSet<Capability>>> withoutSlash = nonExact(trimmed);
      if (withoutSlash.isPresent()) {
        return withoutSlash;
      }
    }
    return nonExact(path);
  }

  private Optional<Map.Entry<String, EnumSet<Capability>>> nonExact(String path) {
    record Candidate(int firstWcOrGlob, int wildcards, boolean isPrefix, String wcPath, String written, EnumSet<Capability> caps) {}
    List<Candidate> candidates = new ArrayList<>();
    String longest = null;
    for (String k : prefix.keySet()) {
      if (path.startsWith(k) && (longest == null || k.length() > longest.length())) {
        longest = k;
      }
    }
    if (longest != null) {
      candidates.add(new Candidate(longest.length(), 0, true, longest, written.get("prefix:" + longest), prefix.get(longest)));
    }
    String[] pathParts = path.split("/", -1);
    outer:
    for (Map.Entry<String, EnumSet<Capability>> e : segment.entrySet()) {
      String full = e.getKey();
      int first = full.indexOf('+');
      boolean isPrefix = full.endsWith("*");
      String wcPath = isPrefix ? full.substring(0, full.length() - 1) : full;
      String[] parts = wcPath.split("/", -1);
      if (pathParts.length < parts.length || (!isPrefix && parts.length != pathParts.length)) {
        continue;
      }
      int wildcards = 0;
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].equals("+")) {
          wildcards++;
        } else if (!parts[i].equals(pathParts[i])
            && !(isPrefix && i == parts.length - 1 && pathParts[i].startsWith(parts[i]))) {
          continue outer;
        }
      }
      candidates.add(new Candidate(first, wildcards, isPrefix, wcPath, full, e.getValue()));
    }
    Comparator<Candidate> lowToHigh = Comparator.<Candidate>comparingInt(c -> c.firstWcOrGlob)
        .thenComparing(c -> !c.isPrefix)
        .thenComparing(c -> -c.wildcards)
        .thenComparingInt(c -> c.wcPath.length())
        .thenComparing(c -> c.wcPath);
    return candidates.stream().max(lowToHigh).map(c -> Map.entry(c.written, c.caps));
  }
}
