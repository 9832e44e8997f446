package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyBindingsTest {
  private final PolicyBindings bindings = PolicyBindings.of(Map.of(
      "spiffe://prod/trading/pricer", List.of("pricer"),
      "spiffe://prod/trading/*", List.of("trading"),
      "spiffe://prod/*", List.of("market-data"),
      "*", List.of("common"),
      "CN=ops-alice", List.of("operator", "auditor")));

  @Test
  void principal_getsTheUnionOfEveryMatchingBinding() {
    assertThat(bindings.policiesFor("spiffe://prod/trading/pricer"))
        .containsExactly("common", "market-data", "pricer", "trading");
  }

  @Test
  void globBinding_matchesByPrefix() {
    assertThat(bindings.policiesFor("spiffe://prod/trading/risk")).containsExactly("common", "market-data", "trading");
    assertThat(bindings.policiesFor("spiffe://prod/tradingdesk")).containsExactly("common", "market-data");
  }

  @Test
  void exactBinding_matchesOnlyItself() {
    assertThat(bindings.policiesFor("CN=ops-alice")).containsExactly("auditor", "common", "operator");
    assertThat(bindings.policiesFor("CN=ops-alice2")).containsExactly("common");
  }

  @Test
  void tokenPolicies_areAdded() {
    assertThat(bindings.policiesFor("CN=ops-alice", List.of("root", "operator")))
        .containsExactly("auditor", "common", "operator", "root");
    assertThat(bindings.policiesFor("CN=ops-alice", List.of())).containsExactly("auditor", "common", "operator");
  }

  @Test
  void unboundPrincipal_getsNothing() {
    assertThat(PolicyBindings.empty().policiesFor("anyone")).isEmpty();
    assertThat(PolicyBindings.empty().policiesFor("anyone", List.of("t"))).containsExactly("t");
  }

  @Test
  void resolvedSets_areUnmodifiable() {
    assertThatThrownBy(() -> bindings.policiesFor("x").add("root")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void starNotLast_isRejected() {
    assertThatThrownBy(() -> PolicyBindings.of(Map.of("spiffe://*/trading", List.of("a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"spiffe://*/trading\"")
        .hasMessageContaining("'*' is allowed only as the last character");
  }

  @Test
  void emptyPattern_isRejected() {
    assertThatThrownBy(() -> PolicyBindings.of(Map.of("", List.of("a")))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidPolicyName_isRejected() {
    assertThatThrownBy(() -> PolicyBindings.of(Map.of("p", List.of("bad name"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid policy name \"bad name\"");
  }
}
