package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyLinterTest {

  private static List<String> lint(String text) {
    return PolicyLinter.lint("p.hcl", text).stream().map(LintWarning::toString).toList();
  }

  @Test
  void cleanPolicy_hasNoWarning() {
    assertThat(lint("""
        path "secret/data/trading/*" { capabilities = ["read"] }
        path "secret/metadata/trading/*" { capabilities = ["list", "read"] }
        path "sys/audit" { capabilities = ["audit"] }
        """)).isEmpty();
  }

  @Test
  void starInTheMiddle_isALiteral_pointedAtItsColumn() {
    assertThat(lint("path \"secret/data/*/db\" { capabilities = [\"read\"] }")).containsExactly(
        "p.hcl:1:6: warning: no broker operation checks a path matching \"secret/data/*/db\", so this rule never applies;"
            + " broker paths are secret/data/<name>, secret/metadata/<prefix>, sys/audit, sys/tokens and sys/policy",
        "p.hcl:1:19: warning: '*' is a glob only as the last character; here it is a literal '*' (as in Vault),"
            + " which no broker path contains; write \"secret/data/*\" for a prefix or '+' for one segment");
  }

  @Test
  void plusInsideASegment_isALiteral() {
    assertThat(lint("path \"/secret/data/a+b/*\" { capabilities = [\"read\"] }"))
        .anyMatch(w -> w.startsWith("p.hcl:1:21: warning: '+' is a wildcard only as a whole segment"));
  }

  @Test
  void denyWithOtherCapabilities_andUncheckedNamesAfterDeny_areReported() {
    List<String> warnings = lint("path \"secret/data/x\" {\n  capabilities = [\"read\", \"deny\", \"raed\"]\n}");

    assertThat(warnings).containsExactly(
        "p.hcl:2:27: warning: \"deny\" with other capabilities: the stanza denies everything and [\"read\", \"raed\"] are ignored",
        "p.hcl:2:35: warning: unknown capability \"raed\" is accepted only because it follows \"deny\" (Vault does not check it either)");
  }

  @Test
  void vaultOnlyCapabilities_areReported() {
    List<String> warnings = lint("path \"sys/audit\" { capabilities = [\"audit\", \"sudo\", \"patch\"] }");

    assertThat(warnings).containsExactly(
        "p.hcl:1:45: warning: \"sudo\" means nothing to Secrets Broker: it has no root-protected paths",
        "p.hcl:1:53: warning: no broker operation asks for Vault's \"patch\" capability");
  }

  @Test
  void emptyOrMissingCapabilities_areReported() {
    assertThat(lint("path \"secret/data/a\" { capabilities = [] }\npath \"secret/data/b\" { comment = \"x\" }"))
        .containsExactly(
            "p.hcl:1:6: warning: empty capabilities list: this stanza grants nothing, yet decides (and so denies) the paths"
                + " where it has the highest priority",
            "p.hcl:2:6: warning: no 'capabilities' key: this stanza grants nothing, yet decides (and so denies) the paths"
                + " where it has the highest priority");
  }

  @Test
  void repeatedPattern_isReportedAsMerged() {
    assertThat(lint("path \"secret/data/a\" { capabilities = [\"read\"] }\npath \"/secret/data/a\" { capabilities = [\"list\"] }"))
        .containsExactly("p.hcl:2:6: warning: path \"secret/data/a\" is repeated (first at 1:6): the stanzas are merged,"
            + " as Vault merges them (capabilities unioned; a deny in either wins); write one stanza");
  }

  @Test
  void unenforcedKeys_andLegacyPolicy_areReported() {
    List<String> warnings = lint("""
        path "secret/data/a" {
          policy = "read"
          allowed_parameters = { "x" = [] }
          max_wrapping_ttl = "1h"
        }
        """);

    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).contains("'allowed_parameters' is parsed and merged as Vault does but not enforced");
    assertThat(warnings.get(1)).contains("'max_wrapping_ttl' is parsed and merged");
    assertThat(warnings.get(2)).contains("'policy = ...' is Vault's legacy syntax; it grants [read, list] here");
  }

  @Test
  void jsonPolicies_areLintedToo() {
    assertThat(PolicyLinter.lint("p.json", "{\"path\": {\"kv/x\": {\"capabilities\": [\"read\"]}}}"))
        .extracting(LintWarning::line, LintWarning::column).containsExactly(org.assertj.core.groups.Tuple.tuple(1, 11));
  }

  @Test
  void unparsablePolicy_throwsTheParseError() {
    assertThatThrownBy(() -> PolicyLinter.lint("p.hcl", "path \"a\" {")).isInstanceOf(PolicyParseException.class)
        .hasMessageStartingWith("p.hcl:1:11: ");
  }

  @Test
  void shippedPolicies_haveNoWarning() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(GoldenFiles.policiesRoot())) {
      for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".hcl")).toList()) {
        assertThat(PolicyLinter.lint(file.getFileName().toString(), java.nio.file.Files.readString(file)))
            .as(file.getFileName().toString()).isEmpty();
      }
    }
  }
}
