package io.secretsbroker.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The rules of several policies merged and compiled for fast matching, following Vault's
 * {@code NewACL} and {@code AllowOperation}.
 *
 * <p>Rules with the same pattern, in one policy or in several, are merged into one entry whose
 * capabilities are the union, or exactly {@code deny} when any of them denies; their
 * {@link PathConstraints} are merged as Vault merges them. A check then finds the deciding entry:
 * an exact pattern equal to the path wins outright; otherwise, among the prefix and segment
 * patterns matching the path, the one of highest priority (see {@link #beats}). A {@code list}
 * check on a path ending in {@code /} first tries the path without that slash (see
 * {@link #check}). Exact patterns are in a hash map, prefix patterns in a character trie (one pass
 * over the path finds the longest), segment patterns in a list checked against the path's
 * segments. Immutable and thread-safe.
 */
final class Acl {
  private final Map<String, Entry> exact;
  private final TrieNode prefixes;
  private final Entry[] segmented;

  private Acl(Map<String, Entry> exact, TrieNode prefixes, Entry[] segmented) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.segmented = segmented;
  }

  static Acl compile(Collection<Policy> policies) {
    Map<String, EntryBuilder> merged = new LinkedHashMap<>();
    for (Policy policy : policies) {
      for (PathRule rule : policy.rules()) {
        merged.computeIfAbsent(rule.pattern(), EntryBuilder::new).add(policy.name(), rule);
      }
    }
    Map<String, Entry> exact = new HashMap<>();
    TrieNode prefixes = new TrieNode();
    List<Entry> segmented = new ArrayList<>();
    for (EntryBuilder builder : merged.values()) {
      Entry entry = builder.build();
      switch (entry.shape.kind) {
        case EXACT -> exact.put(entry.shape.pattern, entry);
        case PREFIX -> prefixes.insert(entry.shape.body, entry);
        case SEGMENTS -> segmented.add(entry);
      }
    }
    return new Acl(Map.copyOf(exact), prefixes, segmented.toArray(new Entry[0]));
  }

  /**
   * Decides {@code capability} on {@code requestPath} as Vault's {@code AllowOperation} does.
   *
   * <ol>
   *   <li>leading slashes are removed;</li>
   *   <li>an exact pattern equal to the path decides;</li>
   *   <li>for {@code list} only, an exact pattern equal to the path without one trailing {@code /}
   *       decides (Vault PR #5197);</li>
   *   <li>for {@code list} on a path ending in {@code /} only, the highest-priority prefix or
   *       segment pattern matching the path <em>without</em> that slash decides, if any matches
   *       (Vault PR #23874);</li>
   *   <li>otherwise the highest-priority prefix or segment pattern matching the path decides;</li>
   *   <li>no match: denied.</li>
   * </ol>
   */
  Decision check(Capability capability, String requestPath) {
    int from = 0;
    while (from < requestPath.length() && requestPath.charAt(from) == '/') {
      from++;
    }
    String path = from == 0 ? requestPath : requestPath.substring(from);
    boolean list = capability == Capability.LIST;
    boolean trailingSlash = path.endsWith("/");
    String trimmed = trailingSlash ? path.substring(0, path.length() - 1) : path;
    Entry decider = exact.get(path);
    if (decider == null && list) {
      decider = exact.get(trimmed);
    }
    if (decider == null && list && trailingSlash) {
      decider = nonExact(trimmed);
    }
    if (decider == null) {
      decider = nonExact(path);
    }
    if (decider == null) {
      return new Decision(false, capability, requestPath, Optional.empty(), List.of(), List.of());
    }
    boolean allowed = !decider.deny && decider.granted.contains(capability);
    return new Decision(allowed, capability, requestPath, decider.pattern, decider.policies, decider.capabilities);
  }

  /** The merged constraints of {@code pattern}, if some policy holds it; for tests and tools. */
  Optional<PathConstraints> constraints(String pattern) {
    PathPattern shape = PathPattern.of(pattern);
    Entry entry = switch (shape.kind) {
      case EXACT -> exact.get(pattern);
      case PREFIX -> prefixes.get(shape.body);
      case SEGMENTS -> Arrays.stream(segmented).filter(e -> e.shape.pattern.equals(pattern)).findFirst().orElse(null);
    };
    return Optional.ofNullable(entry).map(e -> e.constraints);
  }

  /** The highest-priority prefix or segment pattern matching {@code path}, or null. */
  private Entry nonExact(String path) {
    Entry decider = prefixes.longest(path);
    if (segmented.length > 0) {
      String[] parts = PathPattern.split(path);
      for (Entry candidate : segmented) {
        if (candidate.shape.matches(parts) && (decider == null || beats(candidate.shape, decider.shape))) {
          decider = candidate;
        }
      }
    }
    return decider;
  }

  /**
   * Returns {@code true} when {@code a} has higher priority than {@code b} by Vault's rules: the
   * first wildcard or glob later in the pattern; then not ending in {@code *}; then fewer {@code +}
   * segments; then longer; then lexicographically larger (all without the trailing {@code *}).
   */
  static boolean beats(PathPattern a, PathPattern b) {
    if (a.firstWildcard != b.firstWildcard) {
      return a.firstWildcard > b.firstWildcard;
    }
    if (a.isPrefix != b.isPrefix) {
      return !a.isPrefix;
    }
    if (a.wildcards != b.wildcards) {
      return a.wildcards < b.wildcards;
    }
    if (a.body.length() != b.body.length()) {
      return a.body.length() > b.body.length();
    }
    return a.body.compareTo(b.body) > 0;
  }

  private static final class Entry {
    final PathPattern shape;
    final Optional<String> pattern;
    final List<String> policies;
    final List<Capability> capabilities;
    final EnumSet<Capability> granted;
    final boolean deny;
    final PathConstraints constraints;

    Entry(PathPattern shape, List<String> policies, EnumSet<Capability> granted, PathConstraints constraints) {
      this.shape = shape;
      this.pattern = Optional.of(shape.pattern);
      this.policies = List.copyOf(policies);
      this.granted = granted;
      this.capabilities = List.copyOf(granted);
      this.deny = granted.contains(Capability.DENY);
      this.constraints = constraints;
    }
  }

  /** Merges the stanzas of one pattern in policy order, then file order, as {@code NewACL} does. */
  private static final class EntryBuilder {
    private final String pattern;
    private final TreeSet<String> policies = new TreeSet<>();
    private EnumSet<Capability> granted;
    private PathConstraints constraints = PathConstraints.NONE;

    EntryBuilder(String pattern) {
      this.pattern = pattern;
    }

    void add(String policy, PathRule rule) {
      policies.add(policy);
      if (granted == null) {
        granted = EnumSet.noneOf(Capability.class);
        granted.addAll(rule.capabilities());
        constraints = rule.constraints();
      } else if (granted.contains(Capability.DENY)) {
        return;
      } else if (rule.denies()) {
        granted = EnumSet.of(Capability.DENY);
        constraints = constraints.deniedByLaterStanza();
      } else {
        granted.addAll(rule.capabilities());
        constraints = constraints.merge(rule.constraints());
      }
    }

    Entry build() {
      return new Entry(PathPattern.of(pattern), new ArrayList<>(policies), granted.clone(), constraints);
    }
  }

  /** A character trie of prefix patterns; children in small parallel arrays. */
  private static final class TrieNode {
    private char[] keys = new char[0];
    private TrieNode[] children = new TrieNode[0];
    private Entry entry;

    void insert(String prefix, Entry value) {
      TrieNode node = this;
      for (int i = 0; i < prefix.length(); i++) {
        node = node.childOrCreate(prefix.charAt(i));
      }
      node.entry = value;
    }

    Entry get(String prefix) {
      TrieNode node = this;
      for (int i = 0; i < prefix.length() && node != null; i++) {
        node = node.child(prefix.charAt(i));
      }
      return node == null ? null : node.entry;
    }

    Entry longest(String path) {
      TrieNode node = this;
      Entry best = entry;
      for (int i = 0; i < path.length() && node != null; i++) {
        node = node.child(path.charAt(i));
        if (node != null && node.entry != null) {
          best = node.entry;
        }
      }
      return best;
    }

    private TrieNode child(char c) {
      char[] k = keys;
      for (int i = 0; i < k.length; i++) {
        if (k[i] == c) {
          return children[i];
        }
      }
      return null;
    }

    private TrieNode childOrCreate(char c) {
      TrieNode existing = child(c);
      if (existing != null) {
        return existing;
      }
      int n = keys.length;
      keys = Arrays.copyOf(keys, n + 1);
      children = Arrays.copyOf(children, n + 1);
      keys[n] = c;
      children[n] = new TrieNode();
      return children[n];
    }
  }
}
