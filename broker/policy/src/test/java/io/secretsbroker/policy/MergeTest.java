package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same pattern in several stanzas, of one policy or of several, is merged as Vault's
 * {@code NewACL} merges it: capabilities unioned, deny winning, and the other stanza fields merged
 * field by field (parsed and merged, never enforced).
 */
class MergeTest {

  private static Acl compile(String... texts) {
    List<Policy> policies = new java.util.ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      policies.add(Policy.parse("p" + i, "p" + i + ".hcl", texts[i]));
    }
    return Acl.compile(policies);
  }

  private static PathConstraints constraints(Acl acl, String pattern) {
    return acl.constraints(pattern).orElseThrow();
  }

  @Test
  void parameterLists_areAppended_laterStanzaFirst_andAnEmptyListWins() {
    Acl acl = compile("""
        path "a" {
          capabilities = ["create"]
          allowed_parameters = { "ttl" = ["1h"], "Mode" = ["x"], "any" = [] }
          denied_parameters = { "force" = ["true"] }
        }
        path "a" {
          capabilities = ["update"]
          allowed_parameters = { "ttl" = ["2h"], "mode" = [], "any" = ["y"], "new" = ["z"] }
          denied_parameters = { "force" = ["yes"] }
        }
        """);

    PathConstraints c = constraints(acl, "a");
    assertThat(c.allowedParameters()).containsOnly(
        Map.entry("ttl", List.of("2h", "1h")), Map.entry("mode", List.of()), Map.entry("any", List.of()),
        Map.entry("new", List.of("z")));
    assertThat(c.deniedParameters()).containsOnly(Map.entry("force", List.of("yes", "true")));
    assertThat(acl.check(Capability.CREATE, "a").allowed()).isTrue();
    assertThat(acl.check(Capability.UPDATE, "a").allowed()).isTrue();
  }

  @Test
  void wrappingTtls_keepTheSmallerSetValue_andRequiredParametersAreAdded() {
    Acl acl = compile(
        "path \"a/*\" {\n capabilities = [\"read\"]\n min_wrapping_ttl = \"1h\"\n required_parameters = [\"x\", \"y\"]\n}",
        "path \"a/*\" {\n capabilities = [\"list\"]\n min_wrapping_ttl = 60\n max_wrapping_ttl = \"2d\"\n required_parameters = [\"y\", \"z\"]\n}");

    PathConstraints c = constraints(acl, "a/*");
    assertThat(c.minWrappingTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.maxWrappingTtl()).isEqualTo(Duration.ofDays(2));
    assertThat(c.requiredParameters()).containsExactly("x", "y", "z");
  }

  @Test
  void aLaterDeny_dropsBothParameterMaps_andKeepsTheRest() {
    Acl acl = compile("""
        path "a/+" {
          capabilities = ["read"]
          allowed_parameters = { "k" = [] }
          required_parameters = ["r"]
          min_wrapping_ttl = "10s"
        }
        path "a/+" {
          capabilities = ["deny"]
        }
        """);

    PathConstraints c = constraints(acl, "a/+");
    assertThat(c.allowedParameters()).isEmpty();
    assertThat(c.requiredParameters()).containsExactly("r");
    assertThat(c.minWrappingTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(acl.check(Capability.READ, "a/b").explicitlyDenied()).isTrue();
  }

  @Test
  void anEarlierDeny_ignoresEverythingLater() {
    Acl acl = compile("path \"a\" { capabilities = [\"deny\"] }",
        "path \"a\" {\n capabilities = [\"read\"]\n required_parameters = [\"r\"]\n}");

    assertThat(constraints(acl, "a")).isEqualTo(PathConstraints.NONE);
    assertThat(acl.check(Capability.READ, "a").capabilities()).containsExactly(Capability.DENY);
    assertThat(acl.check(Capability.READ, "a").policies()).containsExactly("p0", "p1");
  }

  @Test
  void aDenyStanza_keepsNoConstraint_andItsTtlsAreNotEvenChecked() {
    // Vault stops reading a stanza at "deny": a wrapping TTL there is neither parsed nor enforced.
    Policy p = Policy.parse("p", "p.hcl", "path \"a\" {\n capabilities = [\"deny\"]\n min_wrapping_ttl = \"soon\"\n}");

    assertThat(p.rules().get(0).constraints()).isEqualTo(PathConstraints.NONE);
  }

  @Test
  void eventTypes_areOnlyAddedToAListThatHasSome_asVaultDoes() {
    Acl none = compile("path \"a\" { capabilities = [\"subscribe\"] }",
        "path \"a\" {\n capabilities = [\"subscribe\"]\n subscribe_event_types = [\"kv*\"]\n}");
    Acl some = compile("path \"a\" {\n capabilities = [\"subscribe\"]\n subscribe_event_types = [\"kv*\", \"pki*\"]\n}",
        "path \"a\" {\n capabilities = [\"subscribe\"]\n subscribe_event_types = [\"pki*\", \"db*\"]\n}");

    assertThat(constraints(none, "a").subscribeEventTypes()).isEmpty();
    assertThat(constraints(some, "a").subscribeEventTypes()).containsExactly("kv*", "pki*", "db*");
  }

  @Test
  void constraints_neverChangeADecision() {
    Acl plain = compile("path \"a/*\" { capabilities = [\"read\", \"update\"] }");
    Acl constrained = compile("""
        path "a/*" {
          capabilities = ["read", "update"]
          allowed_parameters = { "nothing" = ["at all"] }
          denied_parameters = { "*" = [] }
          required_parameters = ["never-sent"]
          min_wrapping_ttl = "1h"
          max_wrapping_ttl = "2h"
        }
        """);

    for (Capability capability : List.of(Capability.READ, Capability.UPDATE, Capability.LIST)) {
      assertThat(constrained.check(capability, "a/x")).isEqualTo(plain.check(capability, "a/x"));
    }
  }

  @Test
  void legacyPolicyKey_mapsAsVaultMapsIt() {
    Policy p = Policy.parse("p", "p.hcl", """
        path "r" { policy = "read" }
        path "w" { policy = "write" }
        path "s" { policy = "sudo" }
        path "d" {
          capabilities = ["read"]
          policy = "deny"
        }
        path "both" {
          capabilities = ["audit"]
          policy = "read"
        }
        """);

    assertThat(p.rules()).extracting(r -> r.capabilities().toString()).containsExactly(
        "[read, list]", "[read, list, create, update, delete]", "[read, list, create, update, delete, sudo]", "[deny]",
        "[read, list, audit]");
  }
}
