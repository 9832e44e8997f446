package io.secretsbroker.policy;

import io.secretsbroker.policy.Node.Item;
import io.secretsbroker.policy.Node.ListNode;
import io.secretsbroker.policy.Node.ObjectNode;
import io.secretsbroker.policy.Node.Scalar;
import io.secretsbroker.policy.Token.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns policy text, HCL or JSON, into {@link Stanza}s with the checks and mappings of Vault's
 * {@code ParseACLPolicy}.
 *
 * <p>As in Vault (HCL 1's {@code lexMode}), the text is JSON when its first character that is not
 * whitespace is <code>{</code>, HCL otherwise. Top-level keys are {@code path} and {@code name}
 * (ignored). A stanza holds {@code capabilities}, {@code policy} (Vault's legacy {@code deny},
 * {@code read}, {@code write}, {@code sudo}), {@code comment}, and the constraints of
 * {@link PathConstraints}, each at most once (Vault 1.21 rejects duplicate attributes too). A
 * missing {@code capabilities} grants nothing. Capabilities are checked in order and, as in Vault,
 * {@code deny} ends the list: what follows it is neither kept nor checked.
 */
final class PolicyDecoder {
  static final List<String> CAPABILITY_NAMES = List.of("read", "list", "create", "update", "delete", "rotate", "revoke",
      "audit", "deny", "sudo", "patch", "subscribe", "recover");
  static final List<String> STANZA_KEYS = List.of("capabilities", "comment", "policy", "allowed_parameters",
      "denied_parameters", "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "subscribe_event_types");
  private static final Map<String, String> ENTERPRISE_KEYS = Map.of(
      "mfa_methods", "it is a Vault Enterprise feature, and ignoring it would drop an MFA requirement",
      "control_group", "it is a Vault Enterprise feature, and ignoring it would drop an approval requirement");
  private static final Map<String, List<String>> LEGACY = Map.of(
      "read", List.of("read", "list"),
      "write", List.of("create", "read", "update", "delete", "list"),
      "sudo", List.of("create", "read", "update", "delete", "list", "sudo"));

  /**
   * One stanza as written: the rule it makes and what the linter needs to know about its source.
   *
   * @param rule the rule, with Vault's meaning
   * @param patternToken the pattern's token (its position and, when verbatim, its columns)
   * @param capabilityTokens the {@code capabilities} entries as written, in order
   * @param keys the stanza's keys, in order
   */
  record Stanza(PathRule rule, Token patternToken, List<Token> capabilityTokens, Set<String> keys) {}

  private final String fileName;
  private final boolean json;

  private PolicyDecoder(String fileName, boolean json) {
    this.fileName = fileName;
    this.json = json;
  }

  /**
   * Parses and checks {@code text}.
   *
   * @throws PolicyParseException naming file, line and column of the first fault
   */
  static List<Stanza> decode(String text, String fileName) {
    checkReservedCharacters(text, fileName);
    boolean json = isJson(text);
    ObjectNode root = json ? new JsonParser(text, fileName).parseFile() : new HclParser(text, fileName).parseFile();
    return new PolicyDecoder(fileName, json).top(root);
  }

  /** HCL 1's rule: JSON when the first character that is not whitespace is an opening brace. */
  static boolean isJson(String text) {
    for (int i = text.startsWith("\uFEFF") ? 1 : 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        return true;
      }
      if ("\t\n\u000B\f\r \u0085\u00A0".indexOf(c) < 0 && !Character.isSpaceChar(c)) {
        return false;
      }
    }
    return false;
  }

  /** HCL 1 refuses a NUL and U+E123 anywhere in the text, even in a comment. */
  private static void checkReservedCharacters(String text, String fileName) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        lineStart = i + 1;
      } else if (c == '\0' || c == '\uE123') {
        throw new PolicyParseException(fileName, line, i - lineStart + 1, c == '\0'
            ? "unexpected null character (U+0000)" : "character U+E123 is reserved by HCL and not allowed in a policy");
      }
    }
  }

  /** Rejects a top-level key that is neither {@code path} nor {@code name}. */
  static void checkTopLevelKey(Token key, String fileName) {
    String name = key.text();
    if (name.equals("path") || name.equals("name")) {
      return;
    }
    String hint = Texts.closest(name, List.of("path")).map(s -> " (did you mean 'path'?)").orElse("");
    throw new PolicyParseException(fileName, key.line(), key.column(), "unknown stanza '" + Texts.clip(name) + "'" + hint
        + "; a policy holds only 'path \"<pattern>\" { ... }' stanzas (and an optional, ignored, 'name')");
  }

  /** Rejects a stanza key that Vault does not know, or that the broker cannot honour. */
  static void checkStanzaKey(Token key, String fileName) {
    String name = key.text();
    if (STANZA_KEYS.contains(name)) {
      return;
    }
    String why = ENTERPRISE_KEYS.get(name);
    if (why != null) {
      throw new PolicyParseException(fileName, key.line(), key.column(), "'" + name + "' is not supported by Secrets Broker: " + why);
    }
    String hint = Texts.closest(name, STANZA_KEYS).map(s -> " (did you mean '" + s + "'?)").orElse("");
    throw new PolicyParseException(fileName, key.line(), key.column(), "unknown key '" + Texts.clip(name) + "'" + hint
        + "; a path stanza holds 'capabilities' and optionally " + String.join(", ", STANZA_KEYS.subList(1, STANZA_KEYS.size())));
  }

  private List<Stanza> top(ObjectNode root) {
    List<Stanza> stanzas = new ArrayList<>();
    Token name = null;
    for (Item item : root.items()) {
      Token key = item.key();
      checkTopLevelKey(key, fileName);
      if (key.text().equals("name")) {
        if (name != null) {
          throw error(key, "duplicate key 'name' (first at " + name.at() + ")");
        }
        name = key;
        if (item.keys().size() > 1 || !item.assigned() || !(item.value() instanceof Scalar)) {
          throw error(key, "'name' takes a string, like name = \"trading\" (it is ignored: a policy's name is its file name)");
        }
      } else if (json) {
        jsonPaths(item.value(), stanzas);
      } else {
        if (item.keys().size() == 1) {
          throw error(key, "expected the quoted path pattern after 'path', like path \"secret/data/*\" { ... }");
        }
        if (item.keys().size() > 2) {
          throw error(item.keys().get(2), "a path stanza takes one pattern, found a second one: "
              + item.keys().get(2).describe());
        }
        stanzas.add(stanza(item.keys().get(1), (ObjectNode) item.value()));
      }
    }
    return stanzas;
  }

  /** JSON's {@code "path"}: an object of pattern to rules, or a list of such objects (as HCL 1 flattens it). */
  private void jsonPaths(Node value, List<Stanza> out) {
    if (value instanceof ListNode list) {
      for (Node element : list.elements()) {
        if (!(element instanceof ObjectNode)) {
          throw error(element.first(), "each element of the \"path\" list must be an object of patterns, found " + Node.describe(element));
        }
        jsonPaths(element, out);
      }
      return;
    }
    if (!(value instanceof ObjectNode patterns)) {
      throw error(value.first(), "\"path\" must be an object of patterns to rules, like {\"path\": {\"secret/*\": "
          + "{\"capabilities\": [\"read\"]}}}, or a list of such objects; found " + Node.describe(value));
    }
    for (Item member : patterns.items()) {
      Node rules = member.value();
      if (rules instanceof ListNode list && !list.elements().isEmpty()
          && list.elements().stream().allMatch(e -> e instanceof ObjectNode)) {
        for (Node element : list.elements()) {
          out.add(stanza(member.key(), (ObjectNode) element));
        }
      } else if (rules instanceof ObjectNode body) {
        out.add(stanza(member.key(), body));
      } else {
        throw error(rules.first(), "the rules of path " + Texts.quote(member.key().text())
            + " must be an object like {\"capabilities\": [\"read\"]}, found " + Node.describe(rules));
      }
    }
  }

  private Stanza stanza(Token patternToken, ObjectNode body) {
    String pattern = PathPattern.normalize(patternToken, fileName);
    Map<String, Token> seen = new LinkedHashMap<>();
    List<Token> capabilities = List.of();
    Token legacy = null;
    Map<String, List<String>> allowed = Map.of();
    Map<String, List<String>> denied = Map.of();
    List<String> required = List.of();
    List<String> events = List.of();
    Node minTtl = null;
    Node maxTtl = null;
    for (Item item : body.items()) {
      Token key = item.key();
      checkStanzaKey(key, fileName);
      if (item.keys().size() > 1) {
        throw error(item.keys().get(1), "unexpected " + item.keys().get(1).describe() + " after '" + key.text()
            + "': write " + key.text() + " = ...");
      }
      Token first = seen.putIfAbsent(key.text(), key);
      if (first != null) {
        throw error(key, "duplicate key '" + key.text() + "' (first at " + first.at() + ")");
      }
      Node value = item.value();
      switch (key.text()) {
        case "capabilities" -> capabilities = scalars(key, value);
        case "policy" -> legacy = scalar(key, value);
        case "comment" -> scalar(key, value);
        case "allowed_parameters" -> allowed = parameters(key, value);
        case "denied_parameters" -> denied = parameters(key, value);
        case "required_parameters" -> required = texts(scalars(key, value));
        case "subscribe_event_types" -> events = texts(scalars(key, value));
        case "min_wrapping_ttl" -> minTtl = value;
        case "max_wrapping_ttl" -> maxTtl = value;
        default -> throw new IllegalStateException("unhandled key " + key.text());
      }
    }
    EnumSet<Capability> granted = capabilities(withLegacy(capabilities, legacy));
    PathConstraints constraints = PathConstraints.NONE;
    if (!granted.contains(Capability.DENY)) {
      Duration min = minTtl == null ? Duration.ZERO : ttl("min_wrapping_ttl", minTtl);
      Duration max = maxTtl == null ? Duration.ZERO : ttl("max_wrapping_ttl", maxTtl);
      if (!min.isZero() && !max.isZero() && max.compareTo(min) < 0) {
        throw error(maxTtl.first(), "max_wrapping_ttl cannot be less than min_wrapping_ttl");
      }
      constraints = new PathConstraints(allowed, denied, required, min, max, events);
    }
    PathRule rule = new PathRule(pattern, granted, patternToken.line(), patternToken.column(), constraints);
    return new Stanza(rule, patternToken, capabilities, new LinkedHashSet<>(seen.keySet()));
  }

  /** Vault's legacy {@code policy = "..."}: {@code deny} replaces the capabilities, the others add to them. */
  private List<Token> withLegacy(List<Token> capabilities, Token legacy) {
    if (legacy == null) {
      return capabilities;
    }
    String value = legacy.text();
    if (value.equals("deny")) {
      return List.of(new Token(Kind.STRING, "deny", legacy.line(), legacy.column(), false));
    }
    List<String> added = LEGACY.get(value);
    if (added == null) {
      throw error(legacy, "invalid policy " + Texts.quote(value) + ": Vault's legacy values are \"deny\", \"read\", \"write\" and \"sudo\"");
    }
    List<Token> all = new ArrayList<>(capabilities);
    added.forEach(name -> all.add(new Token(Kind.STRING, name, legacy.line(), legacy.column(), false)));
    return all;
  }

  private EnumSet<Capability> capabilities(List<Token> names) {
    EnumSet<Capability> granted = EnumSet.noneOf(Capability.class);
    for (Token item : names) {
      String name = item.text();
      if (name.equals("deny")) {
        return EnumSet.of(Capability.DENY);
      }
      granted.add(Capability.fromHclName(name).orElseThrow(() -> {
        if (name.equals("root")) {
          return error(item, "capability \"root\" cannot be granted by a policy (Vault rejects it too); valid capabilities: "
              + String.join(", ", CAPABILITY_NAMES));
        }
        String hint = Texts.closest(name, CAPABILITY_NAMES).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
        return error(item, "unknown capability " + Texts.quote(name) + hint + "; valid capabilities: " + String.join(", ", CAPABILITY_NAMES));
      }));
    }
    return granted;
  }

  /** A list of scalars, for {@code capabilities} and the other string lists. */
  private List<Token> scalars(Token key, Node value) {
    String name = key.text();
    if (!(value instanceof ListNode list)) {
      if (value instanceof Scalar s && s.token().kind() == Kind.STRING) {
        throw error(s.token(), name + " must be a list: write [" + Texts.quote(s.token().text()) + "], not " + Texts.quote(s.token().text()));
      }
      throw error(value.first(), name + " must be a list of quoted strings like " + (name.equals("capabilities") ? "[\"read\"]" : "[\"a\", \"b\"]")
          + ", found " + Node.describe(value));
    }
    List<Token> out = new ArrayList<>();
    for (Node element : list.elements()) {
      if (!(element instanceof Scalar s) || s.token().kind() == Kind.NULL) {
        throw error(element.first(), name + " must be a list of strings, found " + Node.describe(element) + " in it");
      }
      out.add(s.token());
    }
    return out;
  }

  private Token scalar(Token key, Node value) {
    if (!(value instanceof Scalar s)) {
      throw error(value.first(), "'" + key.text() + "' must be a string, found " + Node.describe(value));
    }
    return s.token();
  }

  private Map<String, List<String>> parameters(Token key, Node value) {
    if (!(value instanceof ObjectNode object)) {
      throw error(value.first(), "'" + key.text() + "' must be an object of parameter names to lists of values, like "
          + key.text() + " = { \"ttl\" = [] }; found " + Node.describe(value));
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    Map<String, Token> seen = new LinkedHashMap<>();
    for (Item item : object.items()) {
      Token name = item.key();
      if (item.keys().size() > 1) {
        throw error(item.keys().get(1), "unexpected " + item.keys().get(1).describe() + " after parameter " + Texts.quote(name.text()));
      }
      Token first = seen.putIfAbsent(name.text(), name);
      if (first != null) {
        throw error(name, "duplicate parameter " + Texts.quote(name.text()) + " (first at " + first.at() + ")");
      }
      if (!(item.value() instanceof ListNode values)) {
        throw error(item.value().first(), "the values of parameter " + Texts.quote(name.text())
            + " must be a list, like [\"a\"] (or [] for any value), found " + Node.describe(item.value()));
      }
      List<String> rendered = new ArrayList<>();
      values.elements().forEach(v -> rendered.add(render(v)));
      out.put(name.text().toLowerCase(Locale.ROOT), rendered);
    }
    return out;
  }

  private Duration ttl(String key, Node value) {
    if (!(value instanceof Scalar s)) {
      throw error(value.first(), key + " must be a number of seconds or a duration string like \"5m\", found " + Node.describe(value));
    }
    Token t = s.token();
    Optional<Duration> parsed = switch (t.kind()) {
      case NULL -> Optional.of(Duration.ZERO);
      case NUMBER -> integerSeconds(t.text());
      case FLOAT -> floatSeconds(t.text());
      case STRING, HEREDOC -> GoDuration.parseString(t.text());
      default -> Optional.empty();
    };
    return parsed.orElseThrow(() -> error(t, "invalid " + key + " " + t.describe()
        + ": use seconds (300) or a duration like \"300s\", \"5m\", \"1h30m\" or \"2d\""));
  }

  private static Optional<Duration> integerSeconds(String text) {
    boolean negative = text.startsWith("-");
    String digits = negative ? text.substring(1) : text;
    try {
      long value;
      if (digits.startsWith("0x") || digits.startsWith("0X")) {
        value = Long.parseLong(digits.substring(2), 16);
      } else if (digits.length() > 1 && digits.startsWith("0")) {
        value = Long.parseLong(digits.substring(1), 8);
      } else {
        value = Long.parseLong(digits);
      }
      return Optional.of(Duration.ofSeconds(negative ? -value : value));
    } catch (NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** Go converts the float to whole seconds first, dropping the fraction. */
  private static Optional<Duration> floatSeconds(String text) {
    try {
      double value = Double.parseDouble(text);
      return Double.isFinite(value) && Math.abs(value) < 9.2e9
          ? Optional.of(Duration.ofSeconds((long) value)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static List<String> texts(List<Token> tokens) {
    return tokens.stream().map(Token::text).toList();
  }

  /** A value as text: scalars as their value, lists and objects in HCL-like notation. */
  private static String render(Node node) {
    if (node instanceof Scalar s) {
      return s.token().kind() == Kind.NULL ? "null" : s.token().text();
    }
    if (node instanceof ListNode list) {
      List<String> parts = new ArrayList<>();
      list.elements().forEach(e -> parts.add(render(e)));
      return "[" + String.join(", ", parts) + "]";
    }
    List<String> parts = new ArrayList<>();
    ((ObjectNode) node).items().forEach(i -> parts.add(i.key().text() + " = " + render(i.value())));
    return "{" + String.join(", ", parts) + "}";
  }

  private PolicyParseException error(Token at, String detail) {
    return new PolicyParseException(fileName, at.line(), at.column(), detail);
  }
}
