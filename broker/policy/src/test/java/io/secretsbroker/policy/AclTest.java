package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AclTest {

  private static Policy policy(String name, String text) {
    return Policy.parse(name, name + ".hcl", text);
  }

  @Test
  void decision_explainsTheDecidingPatternAndItsPolicies() {
    PolicySet set = PolicySet.of(List.of(
        policy("a", "path \"secret/data/trading/*\" { capabilities = [\"read\"] }"),
        policy("b", "path \"secret/data/trading/*\" { capabilities = [\"list\", \"read\"] }")));

    Decision d = set.decide(Set.of("a", "b"), Capability.UPDATE, "secret/data/trading/db");

    assertThat(d.allowed()).isFalse();
    assertThat(d.path()).isEqualTo("secret/data/trading/db");
    assertThat(d.matchedPattern()).contains("secret/data/trading/*");
    assertThat(d.policies()).containsExactly("a", "b");
    assertThat(d.capabilities()).containsExactly(Capability.READ, Capability.LIST);
    assertThat(d.explicitlyDenied()).isFalse();
    assertThat(d.explanation()).isEqualTo("\"secret/data/trading/*\" (policies [a, b]) grants [read, list], not update");
  }

  @Test
  void explanation_coversAllowDenyAndNoMatch() {
    PolicySet set = PolicySet.of(List.of(policy("p",
        "path \"a/*\" { capabilities = [\"read\"] }\npath \"a/x\" { capabilities = [\"deny\"] }")));

    assertThat(set.decide(Set.of("p"), Capability.READ, "a/y").explanation()).isEqualTo("\"a/*\" (policies [p]) grants read");
    assertThat(set.decide(Set.of("p"), Capability.READ, "a/x").explanation()).isEqualTo("\"a/x\" (policies [p]) denies");
    assertThat(set.decide(Set.of("p"), Capability.READ, "b").explanation()).isEqualTo("no policy path matches \"b\"; denied by default");
  }

  @Test
  void requestForDeny_isRejected() {
    assertThatThrownBy(() -> PolicySet.empty().decide(Set.of(), Capability.DENY, "a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void duplicatePolicyNames_areRejected() {
    assertThatThrownBy(() -> PolicySet.of(List.of(policy("a", ""), policy("a", "")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a\"");
  }

  @Test
  void decisions_areTheSameFromTheCacheAndFromAFreshCompile() {
    PolicySet set = PolicySet.of(List.of(policy("a", "path \"x/*\" { capabilities = [\"read\"] }")));
    Decision first = set.decide(new java.util.HashSet<>(Set.of("a", "missing")), Capability.READ, "x/1");
    Decision second = set.decide(new java.util.TreeSet<>(Set.of("missing", "a")), Capability.READ, "x/1");

    assertThat(second).isEqualTo(first);
    assertThat(first.allowed()).isTrue();
  }

  // ---- cross-check against a plain model of Vault's algorithm --------------------------------

  record Case(List<Policy> policies, List<String> paths) {}

  @Property(tries = 600)
  void acl_decidesLikeVault(@ForAll("cases") Case c) {
    checkAgainstVault(c);
  }

  /** Few distinct segments make ties on the first four rules common, so rule 5 gets exercised. */
  @Property(tries = 600)
  void acl_decidesLikeVault_whenPatternsTie(@ForAll("ties") Case c) {
    checkAgainstVault(c);
  }

  private static void checkAgainstVault(Case c) {
    PolicySet set = PolicySet.of(c.policies());
    Set<String> names = c.policies().stream().map(Policy::name).collect(Collectors.toSet());
    VaultReference vault = new VaultReference(c.policies());

    for (String path : c.paths()) {
      for (Capability capability : List.of(Capability.READ, Capability.UPDATE, Capability.LIST)) {
        Optional<Map.Entry<String, java.util.EnumSet<Capability>>> expected = vault.decide(path, capability == Capability.LIST);
        Decision d = set.decide(names, capability, path);
        String why = path + " -> " + d.explanation();
        assertThat(d.matchedPattern()).as(why).isEqualTo(expected.map(Map.Entry::getKey));
        boolean allowed = expected.map(e -> !e.getValue().contains(Capability.DENY) && e.getValue().contains(capability)).orElse(false);
        assertThat(d.allowed()).as(why).isEqualTo(allowed);
        assertThat(Set.copyOf(d.capabilities())).as(why).isEqualTo(expected.map(e -> Set.copyOf(e.getValue())).orElse(Set.of()));
      }
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    // "a*" and "b+" are literal segments in Vault ('*' only globs last, '+' only as a whole segment).
    return cases(List.of("a", "b", "ab", "+", "a*", "b+"), 1, 4, List.of("", "*", "/*", "/"),
        List.of("a", "b", "ab", "abc", "ba", "", "a*", "b+"), 1, 5);
  }

  @Provide
  Arbitrary<Case> ties() {
    return cases(List.of("a", "+"), 3, 3, List.of("", "*"), List.of("a", "ab"), 3, 4);
  }

  private static Arbitrary<Case> cases(List<String> patternSegments, int minSegments, int maxSegments, List<String> tails,
      List<String> pathSegments, int minPathSegments, int maxPathSegments) {
    Arbitrary<String> segment = Arbitraries.of(patternSegments);
    Arbitrary<String> pattern = Combinators.combine(
            segment.list().ofMinSize(minSegments).ofMaxSize(maxSegments), Arbitraries.of(tails))
        .as((segments, tail) -> String.join("/", segments) + tail)
        .filter(p -> !p.contains("+*"))
        .injectDuplicates(0.1);
    Arbitrary<String> capabilities = Arbitraries.of("read", "update", "deny", "list", "sudo").list().ofMaxSize(2)
        .map(list -> list.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")));
    Arbitrary<String> stanza = Combinators.combine(pattern, capabilities)
        .as((p, caps) -> "path \"" + p + "\" { capabilities = [" + caps + "] }\n");
    // Patterns may repeat within a policy: Vault merges such stanzas as it merges policies.
    Arbitrary<List<List<String>>> policyBodies = stanza.list().ofMaxSize(6)
        .map(List::copyOf).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<String> pathSegment = Arbitraries.of(pathSegments);
    Arbitrary<List<String>> paths = Combinators.combine(
            pathSegment.list().ofMinSize(minPathSegments).ofMaxSize(maxPathSegments), Arbitraries.of("", "", "/"))
        .as((s, tail) -> String.join("/", s) + tail).list().ofMinSize(1).ofMaxSize(8);
    return Combinators.combine(policyBodies, paths).as((bodies, ps) -> {
      List<Policy> policies = new ArrayList<>();
      for (int i = 0; i < bodies.size(); i++) {
        policies.add(policy("p" + i, String.join("", bodies.get(i))));
      }
      return new Case(policies, ps);
    });
  }
}
