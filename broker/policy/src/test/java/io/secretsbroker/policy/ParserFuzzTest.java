package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzes the parser: whatever the input, it returns a policy or throws a
 * {@link PolicyParseException} whose position lies inside the input — never another exception,
 * never a hang. Also checks that every well-formed policy, however formatted, parses back to its
 * model.
 */
class ParserFuzzTest {
  private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "parser-fuzz");
    t.setDaemon(true);
    return t;
  });

  private static final List<String> SEEDS = List.of(
      """
      # trading
      path "secret/data/trading/*" {
        capabilities = ["read", "list",]
      }
      path "secret/metadata/+/x" { capabilities = ["list"] comment = "c\\n" }
      """,
      "path \"a\" {capabilities=[\"deny\"]}\n/* c */ path \"sys/audit\" { capabilities = [] }",
      "// x\npath \"/b/*\"\r\n{\r\n\tcapabilities = [ \"create\" , \"update\" ]\r\n}\r\n",
      """
      path "a" {
        capabilities = ["read"]
        allowed_parameters = { "k" = ["v", 1, true] }
        min_wrapping_ttl = "1m"
        comment = <<EOT
      text
      EOT
      }
      """,
      """
      {"path": {"secret/data/*": {"capabilities": ["read", "list"]},
                "a\\u00e9": [{"capabilities": []}, {"policy": "write"}]}}
      """,
      "{\"name\": \"x\", \"path\": [{\"b/+\": {\"capabilities\": [\"deny\"], \"max_wrapping_ttl\": 300}}]}");

  private static final List<String> FRAGMENTS = List.of(
      "path", "capabilities", "comment", "allowed_parameters", " ", " ", "\n", "\t", "\r", "=", "[", "]", "{", "}",
      "\"", "\"", ",", "#", "//", "/*", "*/", "/", "*", "+", "\\", "\\u00", "\\n", "read", "list", "deny", "sudo",
      "secret", "data", "x", "-", ".", "0", "9", "\u0000", "\u00e9", "\uFEFF", "\uD83D", "<<", "{{", "}}", "@",
      ":", "null", "true", "\\x", "\\u", "${", "<<EOT\n", "\nEOT\n", "-1.5e3", "0x", "policy", "min_wrapping_ttl");

  @AfterContainer
  static void stopWorker() {
    WORKER.shutdownNow();
  }

  @Property(tries = 1500)
  void fragmentSoup_parsesOrFailsInsideTheInput(@ForAll("soups") String text) {
    assertParsesOrFailsInside(text);
  }

  @Property(tries = 1500)
  void mutatedPolicy_parsesOrFailsInsideTheInput(@ForAll("mutants") String text) {
    assertParsesOrFailsInside(text);
  }

  @Property(tries = 500)
  void arbitraryUnicode_parsesOrFailsInsideTheInput(@ForAll String text) {
    assertParsesOrFailsInside(text);
  }

  @Property(tries = 500)
  void wellFormedPolicy_roundTripsWhateverTheFormatting(@ForAll("rendered") Rendered rendered) {
    Policy parsed = Policy.parse("fuzz", "fuzz.hcl", rendered.text());

    assertThat(parsed.rules()).extracting(PathRule::pattern).containsExactlyElementsOf(rendered.patterns());
    for (int i = 0; i < parsed.rules().size(); i++) {
      assertThat(parsed.rules().get(i).capabilities()).isEqualTo(new PathRule("x", rendered.capabilities().get(i), 1, 1).capabilities());
    }
  }

  @Property(tries = 300)
  void wellFormedJsonPolicy_parsesToTheSameRulesAsItsHcl(@ForAll("rendered") Rendered rendered) {
    StringBuilder json = new StringBuilder("{\"path\": [");
    Policy hcl = Policy.parse("fuzz", "fuzz.hcl", rendered.text());
    for (int i = 0; i < hcl.rules().size(); i++) {
      PathRule rule = hcl.rules().get(i);
      json.append(i == 0 ? "" : ", ").append("{\"").append(rule.pattern()).append("\": {\"capabilities\": [")
          .append(String.join(", ", rule.capabilities().stream().map(c -> "\"" + c.hclName() + "\"").toList()))
          .append("]}}");
    }
    Policy parsed = Policy.parse("fuzz", "fuzz.json", json.append("]}").toString());

    assertThat(parsed.rules()).extracting(PathRule::pattern, PathRule::capabilities)
        .containsExactlyElementsOf(hcl.rules().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.pattern(), r.capabilities())).toList());
  }

  @Provide
  Arbitrary<String> soups() {
    return Arbitraries.of(FRAGMENTS).list().ofMaxSize(60).map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> mutants() {
    Arbitrary<String> seed = Arbitraries.of(SEEDS);
    Arbitrary<List<int[]>> edits = Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.integers().between(0, 6),
            Arbitraries.integers().between(0, FRAGMENTS.size() - 1))
        .as((kind, at, length, fragment) -> new int[] {kind, at, length, fragment})
        .list().ofMinSize(1).ofMaxSize(6);
    return Combinators.combine(seed, edits).as(ParserFuzzTest::mutate);
  }

  private static String mutate(String seed, List<int[]> edits) {
    StringBuilder text = new StringBuilder(seed);
    for (int[] edit : edits) {
      int at = text.length() == 0 ? 0 : edit[1] % (text.length() + 1);
      int end = Math.min(text.length(), at + edit[2]);
      String fragment = FRAGMENTS.get(edit[3]);
      switch (edit[0]) {
        case 0 -> text.delete(at, end);
        case 1 -> text.insert(at, fragment);
        case 2 -> text.replace(at, end, fragment);
        default -> text.insert(at, text.substring(at, end));
      }
    }
    return text.toString();
  }

  /** A policy rendered as text, with the patterns and capabilities it must parse back to. */
  record Rendered(String text, List<String> patterns, List<Set<Capability>> capabilities) {}

  @Provide
  Arbitrary<Rendered> rendered() {
    Arbitrary<String> segment = Arbitraries.of("secret", "data", "metadata", "trading", "db-pass", "a.b", "x_y", "+", "9");
    Arbitrary<String> pattern = Combinators.combine(
            segment.list().ofMinSize(1).ofMaxSize(5),
            Arbitraries.of("", "", "/", "*", "/*"),
            Arbitraries.of(true, false))
        .as((segments, tail, leadingSlash) -> (leadingSlash ? "/" : "") + String.join("/", segments) + tail)
        .filter(p -> !p.contains("+*") && !p.equals("/") && !p.isEmpty());
    Arbitrary<Set<Capability>> capabilities = Arbitraries.of(Capability.class).set().ofMaxSize(5);
    Arbitrary<String> blank = Arbitraries.of("", " ", "  ", "\n", "\t", "\r\n", " # c\n", " // c\n", " /* c */ ", "\n/* a\nb */\n");
    return Combinators.combine(
            Combinators.combine(pattern, capabilities).as(Rule::new).list().ofMaxSize(6),
            blank.list().ofSize(12),
            Arbitraries.of(true, false))
        .as(ParserFuzzTest::render)
        .filter(r -> r.patterns().stream().distinct().count() == r.patterns().size());
  }

  private record Rule(String pattern, Set<Capability> capabilities) {}

  private static Rendered render(List<Rule> rules, List<String> blanks, boolean trailingCommas) {
    StringBuilder b = new StringBuilder();
    List<String> patterns = new ArrayList<>();
    List<Set<Capability>> capabilities = new ArrayList<>();
    int n = 0;
    for (Rule rule : rules) {
      String space = blanks.get(n++ % blanks.size());
      String spaceOrNot = blanks.get(n++ % blanks.size());
      String required = space.isEmpty() ? " " : space;
      b.append(spaceOrNot).append("path").append(required).append('"').append(rule.pattern()).append('"')
          .append(spaceOrNot).append('{').append(space).append("capabilities").append(spaceOrNot).append('=')
          .append(space).append('[');
      List<Capability> ordered = new ArrayList<>(rule.capabilities());
      for (int i = 0; i < ordered.size(); i++) {
        b.append(spaceOrNot).append('"').append(ordered.get(i).hclName()).append('"').append(space);
        if (i < ordered.size() - 1 || trailingCommas) {
          b.append(',');
        }
      }
      b.append(']').append(trailingCommas ? "," : "").append(required).append('}').append(space);
      patterns.add(rule.pattern().startsWith("/") ? rule.pattern().substring(1) : rule.pattern());
      capabilities.add(rule.capabilities().isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(rule.capabilities()));
    }
    return new Rendered(b.toString(), patterns, capabilities);
  }

  private static void assertParsesOrFailsInside(String text) {
    Future<PolicyParseException> outcome = WORKER.submit(() -> {
      try {
        Policy.parse("fuzz", "fuzz.hcl", text);
        return null;
      } catch (PolicyParseException e) {
        return e;
      }
    });
    PolicyParseException e;
    try {
      e = outcome.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException timeout) {
      outcome.cancel(true);
      throw new AssertionError("parser did not finish within 5 s on: " + text);
    } catch (ExecutionException other) {
      throw new AssertionError("parser threw " + other.getCause() + " on: " + text, other.getCause());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new AssertionError(interrupted);
    }
    if (e != null) {
      String[] lines = text.split("\n", -1);
      assertThat(e.fileName()).isEqualTo("fuzz.hcl");
      assertThat(e.line()).as(e.getMessage()).isBetween(1, lines.length);
      assertThat(e.column()).as(e.getMessage()).isBetween(1, lines[e.line() - 1].length() + 1);
      assertThat(e.getMessage()).startsWith("fuzz.hcl:" + e.line() + ":" + e.column() + ": ");
      assertThat(e.detail()).isNotBlank();
    }
  }
}
