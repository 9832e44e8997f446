package io.secretsbroker.policy;

import static io.secretsbroker.policy.Capability.DENY;
import static io.secretsbroker.policy.Capability.LIST;
import static io.secretsbroker.policy.Capability.READ;
import static io.secretsbroker.policy.Capability.UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParserTest {

  private static Policy parse(String text) {
    return Policy.parse("p", "p.hcl", text);
  }

  private static PolicyParseException failure(String text) {
    PolicyParseException e = catchThrowableOfType(PolicyParseException.class, () -> parse(text));
    assertThat(e).as("accepted: " + text).isNotNull();
    return e;
  }

  @Test
  void simpleStanza_isParsed() {
    Policy p = parse("path \"secret/data/trading/*\" { capabilities = [\"read\", \"list\"] }");

    assertThat(p.name()).isEqualTo("p");
    assertThat(p.rules()).containsExactly(new PathRule("secret/data/trading/*", Set.of(READ, LIST), 1, 6));
  }

  @Test
  void severalStanzas_keepFileOrder() {
    Policy p = parse("path \"b\" { capabilities = [\"read\"] }\npath \"a\" { capabilities = [\"list\"] }\n");

    assertThat(p.rules()).extracting(PathRule::pattern).containsExactly("b", "a");
    assertThat(p.rules().get(1).line()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   \n\n\t", "# only a comment\n", "// c", "/* block\n comment */", "\uFEFF"})
  void emptyOrCommentOnlyFile_isAnEmptyPolicy(String text) {
    assertThat(parse(text).rules()).isEmpty();
  }

  @Test
  void commentsTrailingCommasAndNewlines_areAcceptedWhereHclAllows() {
    String text = """
        # hash comment
        // slash comment
        /* block
           comment */ path /* inline */ "secret/a"
        {
          capabilities = [
            "read",   # why
            "update", // because
          ],
          comment = "free text, ignored"
        },
        path "secret/b" {capabilities=["list"]} path "secret/c" { capabilities = [] }
        """;

    Policy p = parse(text);

    assertThat(p.rules()).extracting(PathRule::pattern).containsExactly("secret/a", "secret/b", "secret/c");
    assertThat(p.rules().get(0).capabilities()).containsExactlyInAnyOrder(READ, UPDATE);
    assertThat(p.rules().get(0).line()).isEqualTo(4);
    assertThat(p.rules().get(2).capabilities()).isEmpty();
  }

  @Test
  void crlfLineEnds_areWhitespace() {
    Policy p = parse("path \"a\" {\r\n  capabilities = [\"read\"]\r\n}\r\n");

    assertThat(p.rules()).hasSize(1);
  }

  @Test
  void stringEscapes_areDecoded() {
    Policy p = parse("path \"secret\\u002Fx\\U0000002Fy\" {\n"
        + "  comment = \"a \\\"quoted\\\" back\\\\slash\\ttab\\r\\n\"\n"
        + "  capabilities = [\"re\\u0061d\"]\n}");

    assertThat(p.rules().get(0).pattern()).isEqualTo("secret/x/y");
    assertThat(p.rules().get(0).capabilities()).containsExactly(READ);
  }

  @Test
  void denyWithOtherCapabilities_keepsOnlyDeny() {
    Policy p = parse("path \"a\" { capabilities = [\"read\", \"deny\", \"list\"] }");

    assertThat(p.rules().get(0).capabilities()).containsExactly(DENY);
  }

  @Test
  void repeatedCapability_isKeptOnce() {
    assertThat(parse("path \"a\" { capabilities = [\"read\", \"read\"] }").rules().get(0).capabilities()).containsExactly(READ);
  }

  @Test
  void leadingSlash_isDroppedAsInVault() {
    assertThat(parse("path \"/sys/audit\" { capabilities = [\"audit\"] }").rules().get(0).pattern()).isEqualTo("sys/audit");
  }

  @Test
  void everyBrokerCapability_isAccepted() {
    Policy p = parse("path \"a\" { capabilities = [\"read\",\"list\",\"create\",\"update\",\"delete\",\"rotate\",\"revoke\",\"audit\"] }");

    assertThat(p.rules().get(0).capabilities()).hasSize(8).doesNotContain(DENY);
  }

  @Test
  void errorMessage_startsWithFileLineAndColumn() {
    PolicyParseException e = failure("path \"a\" {\n  capabilities = [\"read\" \"list\"]\n}");

    assertThat(e.getMessage()).isEqualTo("p.hcl:2:26: expected ',' or ']' after a capability in the list opened at 2:18, found string \"list\"");
    assertThat(e.fileName()).isEqualTo("p.hcl");
  }

  @Test
  void patternErrorAfterAnEscape_pointsAtTheString() {
    PolicyParseException e = failure("path \"a\\u0020+*\" { capabilities = [] }");

    assertThat(e.line() + ":" + e.column()).isEqualTo("1:6");
  }

  @Test
  void unterminatedStringAtEndOfFile_pointsAtItsQuote() {
    PolicyParseException e = failure("path \"a\" {\n  capabilities = [\"read");

    assertThat(e.line() + ":" + e.column()).isEqualTo("2:19");
    assertThat(e.detail()).contains("before the end of the file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\\u12", "\\U00110000", "\\x4", "\\08", "\\'", "\\ "})
  void badEscapes_areRejected(String escape) {
    PolicyParseException e = failure("path \"a" + escape + "\" { capabilities = [] }");

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(8);
  }

  @Test
  void goEscapes_areDecodedAsVaultDecodesThem() {
    Policy p = parse("path \"\\x41\\102\\u00e9\\a\\v\\uD800\" { capabilities = [] }");

    // \x and octal escapes are bytes; a surrogate escape becomes U+FFFD, as Go encodes it.
    assertThat(p.rules().get(0).pattern()).isEqualTo("AB\u00e9\u0007\u000B\uFFFD");
  }

  @Test
  void interpolationSyntax_isKeptAsWritten() {
    Policy p = parse("path \"a/${x \"y\" \\n}/b\" { capabilities = [\"read\"] }");

    assertThat(p.rules().get(0).pattern()).isEqualTo("a/${x \"y\" \\n}/b");
  }

  @Test
  void heredoc_isAcceptedWhereAStringIs() {
    Policy p = parse("path \"a\" {\n  comment = <<EOF\nfree\ntext\n  EOF\n  capabilities = [\"read\"]\n}\n");

    assertThat(p.rules().get(0).capabilities()).containsExactly(READ);
  }

  @Test
  void unterminatedHeredoc_pointsAtItsStart() {
    PolicyParseException e = failure("path \"a\" {\n  comment = <<EOF\nnever closed\n}\n");

    assertThat(e.line() + ":" + e.column()).isEqualTo("2:13");
    assertThat(e.detail()).contains("unterminated heredoc");
  }

  @Test
  void numberValue_isRejected() {
    assertThat(failure("path \"a\" { capabilities = 5 }").detail()).contains("found number '5'");
  }

  @Test
  void nonAsciiGarbage_isNamedByCodePoint() {
    assertThat(failure("path \"a\" { capabilities = [] } \u00a7").detail()).isEqualTo("unexpected character U+00A7");
  }

  @Test
  void invalidPolicyName_isRejected() {
    assertThatThrownBy(() -> Policy.parse("bad name", "x.hcl", "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid policy name");
  }
}
