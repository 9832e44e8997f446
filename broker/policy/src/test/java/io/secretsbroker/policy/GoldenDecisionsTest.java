package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.policy.GoldenFiles.Row;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the golden decision tables of {@code policies-hcl/golden/}: Vault's precedence examples
 * against {@code golden/policies/}, and the shipped policies through {@link PolicyPaths}.
 */
class GoldenDecisionsTest {
  private static final Path ROOT = GoldenFiles.policiesRoot();
  private static final PolicySet GOLDEN = PolicyStore.open(ROOT.resolve("golden/policies"), PolicyStore.Listener.NONE).current();
  private static final PolicySet SHIPPED = PolicyStore.open(ROOT, PolicyStore.Listener.NONE).current();

  static Stream<Row> decisions() {
    return GoldenFiles.table(ROOT.resolve("golden/decisions.txt")).stream();
  }

  static Stream<Row> shipped() {
    return GoldenFiles.table(ROOT.resolve("golden/shipped.txt")).stream();
  }

  @Test
  void tables_holdEnoughCases() {
    assertThat(decisions().count()).isGreaterThanOrEqualTo(150);
    assertThat(shipped().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void shippedFolder_holdsTheDocumentedPolicies() {
    assertThat(SHIPPED.names()).containsExactlyInAnyOrder("trading", "market-data", "api-keys", "operator", "auditor", "root");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decision_matchesGoldenTable(Row row) {
    Capability capability = Capability.fromHclName(row.cell(1)).orElseThrow();
    Decision decision = GOLDEN.decide(GoldenFiles.names(row.cell(0)), capability, GoldenFiles.unquote(row.cell(2)));
    check(row, decision, row.cell(3), row.cell(4));
    if (!row.cell(5).isEmpty()) {
      assertThat(decision.policies()).as(row + " -> " + decision.explanation())
          .containsExactlyElementsOf(GoldenFiles.names(row.cell(5)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shipped")
  void shippedPolicy_matchesGoldenTable(Row row) {
    PolicyPaths.Operation operation = PolicyPaths.Operation.valueOf(row.cell(1));
    String name = row.cell(2).equals("-") ? null : GoldenFiles.unquote(row.cell(2));
    AccessRequest request = PolicyPaths.forOperation(operation, name);
    Decision decision = SHIPPED.decide(GoldenFiles.names(row.cell(0)), request);
    check(row, decision, row.cell(3), row.cell(4));
  }

  private static void check(Row row, Decision decision, String expect, String pattern) {
    String why = row + " -> " + decision.explanation();
    assertThat(expect).as(row.toString()).isIn("allow", "deny");
    assertThat(decision.allowed()).as(why).isEqualTo(expect.equals("allow"));
    Optional<String> expectedPattern = pattern.equals("-") ? Optional.empty() : Optional.of(GoldenFiles.unquote(pattern));
    assertThat(decision.matchedPattern()).as(why).isEqualTo(expectedPattern);
    if (expectedPattern.isEmpty()) {
      assertThat(decision.policies()).as(why).isEmpty();
      assertThat(decision.capabilities()).as(why).isEmpty();
    } else {
      assertThat(decision.policies()).as(why).isNotEmpty();
    }
    assertThat(decision.explanation()).isNotBlank();
  }
}
