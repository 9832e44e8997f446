package io.secretsbroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sbctl policy eval} and {@code sbctl policy lint}: local, no broker (no address is even configured). */
class PolicyOfflineCommandsTest {
  @TempDir
  Path dir;

  private CliRun cli() {
    return new CliRun(dir);
  }

  @BeforeEach
  void writePolicies() throws IOException {
    Files.writeString(dir.resolve("trading.hcl"), """
        path "secret/data/trading/*" { capabilities = ["read"] }
        path "secret/data/trading/admin" { capabilities = ["deny"] }
        path "secret/metadata/+" { capabilities = ["list"] }
        """);
    Files.writeString(dir.resolve("ops.json"), """
        {"path": {"secret/data/trading/*": {"capabilities": ["update"]}, "secret/data/*": {"capabilities": ["create"]}}}
        """);
  }

  @Test
  void eval_attachesAllFilesToOneCaller_andPrintsOneLinePerPath() {
    CliRun r = cli().run("policy", "eval", "--policy-file", "trading.hcl", "--policy-file", "ops.json",
        "--capability", "update", "secret/data/trading/db", "/secret/data/trading/admin", "kv/x", "secret/data/other");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("""
        secret/data/trading/db\tallow\tpath "secret/data/trading/*" in policies ops, trading
        /secret/data/trading/admin\tdeny\tpath "secret/data/trading/admin" in policy trading (deny)
        kv/x\tdeny\tno matching rule
        secret/data/other\tdeny\tpath "secret/data/*" in policy ops
        """);
    assertThat(r.err).isEmpty();
  }

  @Test
  void eval_withSecretNames_mapsThemAsTheBrokerDoes_includingVaultsListRule() {
    CliRun r = cli().run("policy", "eval", "--policy-file", "trading.hcl", "--capability", "list",
        "--secret", "trading/", "--secret", "trading/fix/");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("""
        secret/metadata/trading/\tallow\tpath "secret/metadata/+" in policy trading
        secret/metadata/trading/fix/\tdeny\tno matching rule
        """);
  }

  @Test
  void eval_ofAFileThatDoesNotParse_exits2WithFileLineAndColumn() throws IOException {
    Files.writeString(dir.resolve("bad.hcl"), "path \"a\" {\n  capabilities = [\"raed\"]\n}\n");

    CliRun r = cli().run("policy", "eval", "--policy-file", "bad.hcl", "--capability", "read", "a");

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.out).isEmpty();
    assertThat(r.err).startsWith("bad.hcl:2:19: unknown capability \"raed\" (did you mean \"read\"?)");
  }

  @Test
  void eval_rejectsBadUsage() {
    assertThat(cli().run("policy", "eval", "--policy-file", "trading.hcl", "--capability", "deny", "a").exit).isEqualTo(2);
    assertThat(cli().run("policy", "eval", "--policy-file", "trading.hcl", "--capability", "read").exit).isEqualTo(2);
    assertThat(cli().run("policy", "eval", "--capability", "read", "a").exit).isEqualTo(2);
    CliRun twice = cli().run("policy", "eval", "--policy-file", "trading.hcl", "--policy-file", "./trading.hcl",
        "--capability", "read", "a");
    assertThat(twice.exit).isEqualTo(2);
    assertThat(twice.err).contains("both define the policy \"trading\"");
    CliRun missing = cli().run("policy", "eval", "--policy-file", "missing.hcl", "--capability", "read", "a");
    assertThat(missing.exit).isEqualTo(1);
    assertThat(missing.err).contains("missing.hcl: cannot read");
  }

  @Test
  void lint_printsWarnings_andExits0() throws IOException {
    Files.writeString(dir.resolve("odd.hcl"), """
        path "secret/data/*/db" { capabilities = ["read"] }
        path "secret/data/x" { capabilities = ["deny", "read"] }
        path "secret/data/x" { capabilities = ["sudo"] }
        """);

    CliRun r = cli().run("policy", "lint", "odd.hcl", "ops.json");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out.lines()).hasSize(6);
    assertThat(r.out).contains("odd.hcl:1:19: warning: '*' is a glob only as the last character")
        .contains("odd.hcl:1:6: warning: no broker operation checks a path matching \"secret/data/*/db\"")
        .contains("odd.hcl:2:40: warning: \"deny\" with other capabilities")
        .contains("odd.hcl:3:6: warning: path \"secret/data/x\" is repeated (first at 2:6): the stanzas are merged")
        .contains("odd.hcl:3:40: warning: \"sudo\" means nothing to Secrets Broker")
        .endsWith("ops.json: no warnings\n");
  }

  @Test
  void lint_ofAFileThatDoesNotParse_exits2_andStillLintsTheOthers() throws IOException {
    Files.writeString(dir.resolve("bad.json"), "{\"path\": {\"a\": {\"capabilities\": [\"read\",]}}}");

    CliRun r = cli().run("policy", "lint", "bad.json", "trading.hcl");

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err).isEqualTo("bad.json:1:41: expected a JSON value, found ']'\n");
    assertThat(r.out).isEqualTo("trading.hcl: no warnings\n");
  }
}
