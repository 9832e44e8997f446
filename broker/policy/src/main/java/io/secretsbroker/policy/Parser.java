package io.secretsbroker.policy;

import io.secretsbroker.policy.Token.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser for the policy subset of HCL that Secrets Broker accepts.
 *
 * <pre>
 * file     = { stanza [","] } EOF
 * stanza   = "path" STRING "{" { entry [","] } "}"
 * entry    = "capabilities" "=" list | "comment" "=" STRING
 * list     = "[" [ STRING { "," STRING } [","] ] "]"
 * </pre>
 * Each pattern may appear once per file and each key once per stanza; {@code capabilities} is
 * required. The first fault found, in source order, is reported.
 */
final class Parser {
  static final List<String> CAPABILITY_NAMES = List.of(
      "read", "list", "create", "update", "delete", "rotate", "revoke", "audit", "deny");
  private static final Set<String> VAULT_ONLY_CAPABILITIES = Set.of("sudo", "patch", "subscribe", "recover", "root");
  private static final Map<String, String> UNSUPPORTED_KEYS = Map.of(
      "allowed_parameters", "it constrains request parameters, and broker requests are not Vault API requests",
      "denied_parameters", "it constrains request parameters, and broker requests are not Vault API requests",
      "required_parameters", "it constrains request parameters, and broker requests are not Vault API requests",
      "min_wrapping_ttl", "the broker has no response wrapping",
      "max_wrapping_ttl", "the broker has no response wrapping",
      "mfa_methods", "it is a Vault Enterprise feature",
      "control_group", "it is a Vault Enterprise feature",
      "policy", "it is Vault's legacy syntax; write capabilities = [...] instead",
      "subscribe_event_types", "the broker has no Vault event subscriptions");
  private static final List<String> KEYS = List.of("capabilities", "comment");

  private final Lexer lexer;
  private final String fileName;
  private Token token;

  Parser(String text, String fileName) {
    this.lexer = new Lexer(text, fileName);
    this.fileName = fileName;
    this.token = lexer.next();
  }

  List<PathRule> parseRules() {
    List<PathRule> rules = new ArrayList<>();
    Map<String, Token> seen = new HashMap<>();
    while (token.kind() != Kind.EOF) {
      rules.add(stanza(seen));
      if (token.kind() == Kind.COMMA) {
        advance();
      }
    }
    return rules;
  }

  private PathRule stanza(Map<String, Token> seenPatterns) {
    Token keyword = token;
    if (keyword.kind() != Kind.IDENT) {
      throw error(keyword, "expected a 'path \"<pattern>\" { ... }' stanza, found " + keyword.describe());
    }
    if (!keyword.text().equals("path")) {
      if (keyword.text().equals("name")) {
        throw error(keyword, "the top-level 'name' key is not supported by Secrets Broker: a policy's name is its file name");
      }
      String hint = Texts.closest(keyword.text(), List.of("path")).map(s -> " (did you mean 'path'?)").orElse("");
      throw error(keyword, "unknown stanza '" + Texts.clip(keyword.text()) + "'" + hint
          + "; a policy holds only 'path \"<pattern>\" { ... }' stanzas");
    }
    advance();
    Token patternToken = token;
    if (patternToken.kind() != Kind.STRING) {
      throw error(patternToken, "expected the quoted path pattern after 'path', found " + patternToken.describe());
    }
    String pattern = PathPattern.normalize(patternToken, fileName);
    Token first = seenPatterns.putIfAbsent(pattern, patternToken);
    if (first != null) {
      throw error(patternToken, "duplicate path " + Texts.quote(pattern) + " (first at " + first.at()
          + "): merge the two stanzas into one");
    }
    advance();
    Token open = token;
    if (open.kind() != Kind.LBRACE) {
      throw error(open, "expected '{' after path " + Texts.quote(patternToken.text()) + ", found " + open.describe());
    }
    advance();
    Set<Capability> capabilities = null;
    Map<String, Token> keys = new HashMap<>();
    while (token.kind() != Kind.RBRACE) {
      Token key = token;
      if (key.kind() == Kind.EOF) {
        throw error(key, "expected '}' to close the stanza of path " + Texts.quote(patternToken.text())
            + " opened at " + open.at() + ", found end of file");
      }
      if (key.kind() != Kind.IDENT) {
        throw error(key, "expected a key such as 'capabilities', or '}' to close the stanza opened at "
            + open.at() + ", found " + key.describe());
      }
      checkKey(key);
      Token firstKey = keys.putIfAbsent(key.text(), key);
      if (firstKey != null) {
        throw error(key, "duplicate key '" + key.text() + "' (first at " + firstKey.at() + ")");
      }
      advance();
      if (token.kind() != Kind.EQUALS) {
        throw error(token, "expected '=' after '" + key.text() + "', found " + token.describe());
      }
      advance();
      if (key.text().equals("capabilities")) {
        capabilities = capabilityList();
      } else {
        if (token.kind() != Kind.STRING) {
          throw error(token, "'comment' must be a quoted string, found " + token.describe());
        }
        advance();
      }
      if (token.kind() == Kind.COMMA) {
        advance();
      }
    }
    advance();
    if (capabilities == null) {
      throw error(keyword, "path " + Texts.quote(patternToken.text())
          + " has no 'capabilities': write capabilities = [\"read\"] (or [] to grant nothing)");
    }
    return new PathRule(pattern, capabilities, patternToken.line(), patternToken.column());
  }

  private void checkKey(Token key) {
    String name = key.text();
    if (KEYS.contains(name)) {
      return;
    }
    String why = UNSUPPORTED_KEYS.get(name);
    if (why != null) {
      throw error(key, "'" + name + "' is not supported by Secrets Broker: " + why);
    }
    String hint = Texts.closest(name, KEYS).map(s -> " (did you mean '" + s + "'?)").orElse("");
    throw error(key, "unknown key '" + Texts.clip(name) + "'" + hint + "; a path stanza holds 'capabilities' and optionally 'comment'");
  }

  private Set<Capability> capabilityList() {
    Token open = token;
    switch (open.kind()) {
      case LBRACKET -> advance();
      case IDENT -> throw error(open, "capabilities must be a list of quoted strings like [\"read\"], found "
          + open.describe());
      case STRING -> throw error(open, "capabilities must be a list: write [" + Texts.quote(open.text()) + "], not "
          + Texts.quote(open.text()));
      default -> throw error(open, "expected '[' to start the capability list, found " + open.describe());
    }
    EnumSet<Capability> capabilities = EnumSet.noneOf(Capability.class);
    while (true) {
      Token item = token;
      switch (item.kind()) {
        case RBRACKET -> {
          advance();
          return capabilities;
        }
        case STRING -> {
          capabilities.add(capability(item));
          advance();
        }
        case COMMA -> throw error(item, "expected a quoted capability or ']' in the list opened at " + open.at()
            + ", found ',' (empty list element)");
        case IDENT -> throw error(item, "capabilities must be quoted: write " + Texts.quote(item.text()) + ", not "
            + Texts.clip(item.text()));
        case EOF -> throw error(item, "the list opened at " + open.at() + " is not closed: expected ']', found end of file");
        default -> throw error(item, "expected a quoted capability or ']' to close the list opened at " + open.at()
            + ", found " + item.describe());
      }
      Token separator = token;
      switch (separator.kind()) {
        case COMMA -> advance();
        case RBRACKET -> { }
        case EOF -> throw error(separator, "the list opened at " + open.at()
            + " is not closed: expected ']', found end of file");
        default -> throw error(separator, "expected ',' or ']' after a capability in the list opened at " + open.at()
            + ", found " + separator.describe());
      }
    }
  }

  private Capability capability(Token item) {
    String name = item.text();
    return Capability.fromHclName(name).orElseThrow(() -> {
      if (VAULT_ONLY_CAPABILITIES.contains(name)) {
        return error(item, "capability " + Texts.quote(name) + " is Vault's and not supported by Secrets Broker; valid capabilities: "
            + String.join(", ", CAPABILITY_NAMES));
      }
      String hint = Texts.closest(name, CAPABILITY_NAMES).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
      return error(item, "unknown capability " + Texts.quote(name) + hint + "; valid capabilities: "
          + String.join(", ", CAPABILITY_NAMES));
    });
  }

  private void advance() {
    token = lexer.next();
  }

  private PolicyParseException error(Token at, String detail) {
    return new PolicyParseException(fileName, at.line(), at.column(), detail);
  }
}
