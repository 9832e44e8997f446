package io.secretsbroker.policy;

import static io.secretsbroker.policy.Capability.CREATE;
import static io.secretsbroker.policy.Capability.DENY;
import static io.secretsbroker.policy.Capability.LIST;
import static io.secretsbroker.policy.Capability.READ;
import static io.secretsbroker.policy.Capability.UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Vault's JSON policy syntax: the same policies as HCL, with JSON's strictness. */
class JsonPolicyTest {

  private static Policy parse(String text) {
    return Policy.parse("p", "p.json", text);
  }

  private static PolicyParseException failure(String text) {
    PolicyParseException e = catchThrowableOfType(PolicyParseException.class, () -> parse(text));
    assertThat(e).as("accepted: " + text).isNotNull();
    return e;
  }

  @Test
  void mapForm_isTheSamePolicyAsItsHcl() {
    Policy json = parse("""
        {"path": {
          "secret/data/trading/*": {"capabilities": ["read", "list"]},
          "secret/data/trading/admin": {"capabilities": ["deny"]}
        }}""");
    Policy hcl = Policy.parse("p", "p.hcl", """
        path "secret/data/trading/*" { capabilities = ["read", "list"] }
        path "secret/data/trading/admin" { capabilities = ["deny"] }
        """);

    assertThat(json.rules()).extracting(PathRule::pattern, PathRule::capabilities)
        .containsExactlyElementsOf(hcl.rules().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.pattern(), r.capabilities())).toList());
    assertThat(json.rules().get(0).line()).isEqualTo(2);
    assertThat(json.rules().get(0).column()).isEqualTo(3);
  }

  @Test
  void listForm_andRepeatedPatterns_areStanzasInOrder() {
    Policy p = parse("""
        {"name": "ignored", "path": [
          {"a/*": {"capabilities": ["read"]}},
          {"a/*": {"capabilities": ["update"]}, "b": [{"capabilities": ["create"]}, {"capabilities": ["list"]}]}
        ]}""");

    assertThat(p.rules()).extracting(PathRule::pattern).containsExactly("a/*", "a/*", "b", "b");
    PolicySet set = PolicySet.of(List.of(p));
    assertThat(set.decide(Set.of("p"), UPDATE, "a/x").allowed()).isTrue();
    assertThat(set.decide(Set.of("p"), READ, "a/x").allowed()).isTrue();
    assertThat(set.decide(Set.of("p"), LIST, "b").allowed()).isTrue();
    assertThat(set.decide(Set.of("p"), CREATE, "b").allowed()).isTrue();
  }

  @Test
  void everyStanzaKey_andEveryValueType_isAccepted() {
    Policy p = parse("""
        {"path": {"x": {
          "capabilities": ["create"], "comment": "c", "required_parameters": ["name"],
          "allowed_parameters": {"TTL": ["1h", 2, 2.5, true, null, [1], {"k": "v"}]},
          "denied_parameters": {"*": []}, "min_wrapping_ttl": 60, "max_wrapping_ttl": "2h",
          "subscribe_event_types": ["kv*"]
        }}}""");

    PathConstraints c = p.rules().get(0).constraints();
    assertThat(c.allowedParameters()).containsExactly(Map.entry("ttl", List.of("1h", "2", "2.5", "true", "null", "[1]", "{k = v}")));
    assertThat(c.deniedParameters()).containsExactly(Map.entry("*", List.of()));
    assertThat(c.requiredParameters()).containsExactly("name");
    assertThat(c.minWrappingTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.maxWrappingTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(c.subscribeEventTypes()).containsExactly("kv*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", " \n\t{ }\n", "{\"path\": {}}", "{\"path\": []}", "\uFEFF{}"})
  void emptyObjects_areEmptyPolicies(String text) {
    assertThat(parse(text).rules()).isEmpty();
  }

  @Test
  void jsonEscapes_areDecoded() {
    Policy p = parse("{\"path\": {\"a\\/b\\u00e9\\ud83d\\ude00\\t\": {\"capabilities\": [\"re\\u0061d\"]}}}");

    assertThat(p.rules().get(0).pattern()).isEqualTo("a/b\u00e9\ud83d\ude00\t");
    assertThat(p.rules().get(0).capabilities()).containsExactly(READ);
  }

  @Test
  void emptyRules_grantNothing_andDenyEndsTheList() {
    Policy p = parse("{\"path\": {\"a\": {}, \"b\": {\"capabilities\": [\"deny\", \"not-checked\"]}}}");

    assertThat(p.rules().get(0).capabilities()).isEmpty();
    assertThat(p.rules().get(1).capabilities()).containsExactly(DENY);
  }

  @Test
  void detection_followsTheFirstNonBlankCharacter_notTheFileName() {
    assertThat(Policy.parse("p", "p.hcl", "  {\"path\": {\"a\": {\"capabilities\": [\"read\"]}}}").rules()).hasSize(1);
    assertThat(Policy.parse("p", "p.json", "path \"a\" { capabilities = [\"read\"] }").rules()).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"path\": {\"a\": {\"capabilities\": [\"read\"]}},}  | 1:44 | expected a quoted member name",
      "{'path': {}}                                        | 1:2  | double-quoted, not single-quoted",
      "{\"path\": {\"a\": {\"capabilities\": [read]}}}        | 1:34 | unexpected bare word 'read'",
      "{\"path\": {\"a\": {\"capabilities\": [\"read\"] \"x\"}}} | 1:42 | expected ',' or '}' after a member",
      "{\"path\" {}}                                         | 1:9  | expected ':' after the member name \"path\"",
      "{\"path\": {\"a\": {\"capabilities\": [01]}}}          | 1:34 | no leading zeros",
      "{\"path\": {\"a\": {\"capabilities\": [\"\\q\"]}}}        | 1:35 | unknown escape '\\q'",
      "{\"path\": {\"a\": \"read\"}}                           | 1:16 | the rules of path \"a\" must be an object",
      "{\"path\": [\"a\"]}                                    | 1:11 | each element of the \"path\" list must be an object",
      "{\"path\": {\"a\": {\"capabilities\": [\"read\"]}}} {}    | 1:45 | after the end of the JSON object",
      "{\"name\": {}}                                        | 1:2  | 'name' takes a string",
      "{\"path\": {\"a\": {\"allowed_parameters\": [\"x\"]}}}    | 1:39 | must be an object of parameter names",
      "{\"path\": {\"a\": {\"control_group\": {}}}}            | 1:17 | Vault Enterprise feature",
  })
  void malformedJson_failsWithLineAndColumn(String text, String position, String fragment) {
    PolicyParseException e = failure(text);

    assertThat(e.line() + ":" + e.column()).as(e.getMessage()).isEqualTo(position);
    assertThat(e.detail()).contains(fragment);
  }

  @Test
  void rawControlCharacterInAString_isRejected() {
    PolicyParseException e = failure("{\"path\": {\"a\u0001\": {}}}");

    assertThat(e.detail()).contains("control character U+0001");
    assertThat(e.column()).isEqualTo(13);
  }
}
