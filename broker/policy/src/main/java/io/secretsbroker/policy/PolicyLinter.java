package io.secretsbroker.policy;

import io.secretsbroker.policy.PolicyDecoder.Stanza;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds legal but suspicious constructs in a policy: it parses as Vault would, but probably does
 * not say what its author meant. Thread-safe (stateless).
 *
 * <p>Warnings, each at the construct's position:
 * <ul>
 *   <li>a {@code *} that is not the last character (a literal {@code *}, as in Vault), or a
 *       {@code +} inside a segment (a literal {@code +});</li>
 *   <li>{@code deny} together with other capabilities (they are ignored), and a capability that
 *       would be unknown but follows {@code deny} (Vault does not check it);</li>
 *   <li>Vault's {@code sudo}, {@code patch}, {@code subscribe} and {@code recover}, which no broker
 *       operation asks for;</li>
 *   <li>no capabilities at all (the stanza grants nothing, yet decides where it has priority);</li>
 *   <li>a pattern repeated in the policy (the stanzas are merged);</li>
 *   <li>a pattern no broker operation can reach ({@link PolicyPaths#reachable});</li>
 *   <li>the legacy {@code policy} key, and keys that are parsed but not enforced (parameter
 *       constraints, wrapping TTLs, event types).</li>
 * </ul>
 * Unknown capabilities elsewhere are parse errors, as in Vault, so they are not warnings.
 */
public final class PolicyLinter {
  private static final List<String> NOT_ENFORCED = List.of("allowed_parameters", "denied_parameters",
      "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "subscribe_event_types");

  private PolicyLinter() {}

  /**
   * Parses {@code text} and returns its warnings in file order.
   *
   * @param fileName the file (or source) name used in warnings and errors
   * @param text the policy, HCL or JSON
   * @return the warnings; empty for a policy with nothing suspicious
   * @throws PolicyParseException if the text does not parse
   */
  public static List<LintWarning> lint(String fileName, String text) {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(text, "text");
    List<LintWarning> warnings = new ArrayList<>();
    Map<String, Token> seen = new HashMap<>();
    for (Stanza stanza : PolicyDecoder.decode(text, fileName)) {
      new Check(fileName, stanza, warnings).run(seen);
    }
    warnings.sort(Comparator.comparingInt(LintWarning::line).thenComparingInt(LintWarning::column));
    return List.copyOf(warnings);
  }

  /** The checks of one stanza. */
  private record Check(String fileName, Stanza stanza, List<LintWarning> out) {

    void run(Map<String, Token> seen) {
      PathRule rule = stanza.rule();
      String pattern = rule.pattern();
      Token at = stanza.patternToken();
      Token first = seen.putIfAbsent(pattern, at);
      if (first != null) {
        warn(at, "path " + Texts.quote(pattern) + " is repeated (first at " + first.at() + "): the stanzas are merged,"
            + " as Vault merges them (capabilities unioned; a deny in either wins); write one stanza");
      }
      literalWildcards(pattern, at);
      if (!PolicyPaths.reachable(pattern)) {
        warn(at, "no broker operation checks a path matching " + Texts.quote(pattern) + ", so this rule never applies;"
            + " broker paths are secret/data/<name>, secret/metadata/<prefix>, sys/audit, sys/tokens and sys/policy");
      }
      capabilities(rule, at);
      for (String key : stanza.keys()) {
        if (NOT_ENFORCED.contains(key)) {
          warn(at, "'" + key + "' is parsed and merged as Vault does but not enforced by Secrets Broker"
              + " (broker requests carry no Vault parameters and are never response-wrapped)");
        }
      }
      if (stanza.keys().contains("policy")) {
        warn(at, "'policy = ...' is Vault's legacy syntax; it grants " + rule.capabilities() + " here; write capabilities = [...]");
      }
    }

    private void literalWildcards(String pattern, Token at) {
      int star = pattern.indexOf('*');
      if (star >= 0 && star < pattern.length() - 1) {
        warn(at, index(at, star), "'*' is a glob only as the last character; here it is a literal '*' (as in Vault),"
            + " which no broker path contains; write \"" + Texts.clip(pattern.substring(0, star)) + "*\" for a prefix or '+' for one segment");
      }
      String[] segments = PathPattern.split(pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern);
      int offset = 0;
      for (String segment : segments) {
        int plus = segment.indexOf('+');
        if (plus >= 0 && !segment.equals("+")) {
          warn(at, index(at, offset + plus), "'+' is a wildcard only as a whole segment; in " + Texts.quote(segment)
              + " it is a literal '+' (as in Vault)");
        }
        offset += segment.length() + 1;
      }
    }

    private void capabilities(PathRule rule, Token at) {
      List<Token> written = stanza.capabilityTokens();
      int deny = -1;
      for (int i = 0; i < written.size(); i++) {
        if (written.get(i).text().equals("deny")) {
          deny = i;
          break;
        }
      }
      if (deny >= 0 && written.size() > 1) {
        List<String> others = written.stream().map(Token::text).filter(t -> !t.equals("deny")).toList();
        warn(written.get(deny), "\"deny\" with other capabilities: the stanza denies everything and "
            + others.stream().map(Texts::quote).toList() + " are ignored");
      }
      for (int i = deny + 1; deny >= 0 && i < written.size(); i++) {
        Token t = written.get(i);
        if (Capability.fromHclName(t.text()).isEmpty()) {
          warn(t, "unknown capability " + Texts.quote(t.text()) + " is accepted only because it follows \"deny\""
              + " (Vault does not check it either)");
        }
      }
      if (deny < 0) {
        for (Token t : written) {
          Capability.fromHclName(t.text()).filter(Capability::vaultOnly).ifPresent(c -> warn(t, c == Capability.SUDO
              ? "\"sudo\" means nothing to Secrets Broker: it has no root-protected paths"
              : "no broker operation asks for Vault's " + Texts.quote(c.hclName()) + " capability"));
        }
      }
      if (rule.capabilities().isEmpty()) {
        warn(at, (stanza.keys().contains("capabilities") ? "empty capabilities list" : "no 'capabilities' key")
            + ": this stanza grants nothing, yet decides (and so denies) the paths where it has the highest priority");
      }
    }

    private int index(Token at, int valueIndex) {
      int quote = at.kind() == Token.Kind.STRING ? 1 : 0;
      int slash = at.text().startsWith("/") ? 1 : 0;
      return at.verbatim() ? at.column() + quote + slash + valueIndex : at.column();
    }

    private void warn(Token at, String message) {
      out.add(new LintWarning(fileName, at.line(), at.column(), message));
    }

    private void warn(Token at, int column, String message) {
      out.add(new LintWarning(fileName, at.line(), column, message));
    }
  }
}
