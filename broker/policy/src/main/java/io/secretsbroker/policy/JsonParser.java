package io.secretsbroker.policy;

import io.secretsbroker.policy.Node.Item;
import io.secretsbroker.policy.Node.ListNode;
import io.secretsbroker.policy.Node.ObjectNode;
import io.secretsbroker.policy.Node.Scalar;
import io.secretsbroker.policy.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict JSON (RFC 8259) parser into the same {@link Node} tree as {@link HclParser}: an object
 * member is an item with one key. No comments, no trailing commas, no single quotes; strings hold
 * no raw control characters; escapes are JSON's ({@code \" \\ \/ \b \f \n \r \t \}{@code uHHHH},
 * surrogate pairs combined). The text must be one object and nothing after it.
 */
final class JsonParser {
  private final String text;
  private final String fileName;
  private int pos;
  private int line = 1;
  private int lineStart;
  private Token token;

  JsonParser(String text, String fileName) {
    this.text = text;
    this.fileName = fileName;
    if (text.startsWith("\uFEFF")) {
      pos = 1;
      lineStart = 1;
    }
    this.token = next();
  }

  /** Parses the document, which must be one object. */
  ObjectNode parseFile() {
    if (token.kind() != Kind.LBRACE) {
      throw error(token, "a JSON policy is one object, like {\"path\": {...}}; found " + token.describe());
    }
    ObjectNode root = object();
    if (token.kind() != Kind.EOF) {
      throw error(token, "unexpected " + token.describe() + " after the end of the JSON object");
    }
    return root;
  }

  private Node value() {
    Token t = token;
    switch (t.kind()) {
      case LBRACE -> {
        return object();
      }
      case LBRACKET -> {
        return array();
      }
      case STRING, NUMBER, FLOAT, BOOL, NULL -> {
        advance();
        return new Scalar(t);
      }
      default -> throw error(t, "expected a JSON value, found " + t.describe());
    }
  }

  private ObjectNode object() {
    Token open = token;
    advance();
    List<Item> items = new ArrayList<>();
    if (token.kind() == Kind.RBRACE) {
      advance();
      return new ObjectNode(open, items);
    }
    while (true) {
      Token key = token;
      if (key.kind() != Kind.STRING) {
        throw error(key, "expected a quoted member name in the object opened at " + open.at() + ", found " + key.describe());
      }
      advance();
      if (token.kind() != Kind.COLON) {
        throw error(token, "expected ':' after the member name " + Texts.quote(key.text()) + ", found " + token.describe());
      }
      advance();
      items.add(new Item(List.of(key), true, value()));
      Token separator = token;
      advance();
      if (separator.kind() == Kind.RBRACE) {
        return new ObjectNode(open, items);
      }
      if (separator.kind() != Kind.COMMA) {
        throw error(separator, "expected ',' or '}' after a member of the object opened at " + open.at() + ", found "
            + separator.describe());
      }
    }
  }

  private ListNode array() {
    Token open = token;
    advance();
    List<Node> elements = new ArrayList<>();
    if (token.kind() == Kind.RBRACKET) {
      advance();
      return new ListNode(open, elements);
    }
    while (true) {
      elements.add(value());
      Token separator = token;
      advance();
      if (separator.kind() == Kind.RBRACKET) {
        return new ListNode(open, elements);
      }
      if (separator.kind() != Kind.COMMA) {
        throw error(separator, "expected ',' or ']' after an element of the array opened at " + open.at() + ", found "
            + separator.describe());
      }
    }
  }

  private void advance() {
    token = next();
  }

  private Token next() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
      } else {
        break;
      }
    }
    int column = pos - lineStart + 1;
    if (pos >= text.length()) {
      return new Token(Kind.EOF, "", line, column, true);
    }
    char c = text.charAt(pos);
    Kind punctuation = switch (c) {
      case '{' -> Kind.LBRACE;
      case '}' -> Kind.RBRACE;
      case '[' -> Kind.LBRACKET;
      case ']' -> Kind.RBRACKET;
      case ':' -> Kind.COLON;
      case ',' -> Kind.COMMA;
      default -> null;
    };
    if (punctuation != null) {
      pos++;
      return new Token(punctuation, "", line, column, true);
    }
    if (c == '"') {
      return string(column);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number(column);
    }
    for (String literal : new String[] {"true", "false", "null"}) {
      if (text.startsWith(literal, pos) && !(pos + literal.length() < text.length()
          && Character.isLetterOrDigit(text.charAt(pos + literal.length())))) {
        pos += literal.length();
        return new Token(literal.equals("null") ? Kind.NULL : Kind.BOOL, literal, line, column, true);
      }
    }
    if (c == '/' || c == '#') {
      throw error(line, column, "comments are not allowed in a JSON policy");
    }
    if (c == '\'') {
      throw error(line, column, "JSON strings are double-quoted, not single-quoted");
    }
    if (Character.isLetter(c)) {
      int end = pos;
      while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
        end++;
      }
      throw error(line, column, "unexpected bare word '" + Texts.clip(text.substring(pos, end)) + "' in JSON (strings are double-quoted)");
    }
    throw error(line, column, "unexpected character " + Texts.character(text.codePointAt(pos)) + " in JSON");
  }

  private Token number(int column) {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    int digits = digits();
    if (digits == 0) {
      throw error(line, column, "a JSON number needs a digit after '-'");
    }
    if (digits > 1 && text.charAt(pos - digits) == '0') {
      throw error(line, column, "JSON numbers have no leading zeros");
    }
    boolean isFloat = false;
    if (pos < text.length() && text.charAt(pos) == '.') {
      pos++;
      isFloat = true;
      if (digits() == 0) {
        throw error(line, column, "a JSON number needs a digit after '.'");
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      pos++;
      isFloat = true;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw error(line, column, "a JSON number needs a digit in its exponent");
      }
    }
    return new Token(isFloat ? Kind.FLOAT : Kind.NUMBER, text.substring(start, pos), line, column, true);
  }

  private int digits() {
    int start = pos;
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    return pos - start;
  }

  private Token string(int column) {
    int startLine = line;
    pos++;
    StringBuilder value = new StringBuilder();
    boolean verbatim = true;
    while (true) {
      if (pos >= text.length()) {
        throw error(startLine, column, "unterminated string: no closing '\"' before the end of the file");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return new Token(Kind.STRING, value.toString(), startLine, column, verbatim);
      }
      if (c == '\n') {
        throw error(startLine, column, "unterminated string: no closing '\"' before the end of the line");
      }
      if (c < 0x20) {
        throw error(line, pos - lineStart + 1, "control character " + Texts.character(c) + " in a JSON string: write it as an escape");
      }
      if (c != '\\') {
        value.append(c);
        pos++;
        continue;
      }
      verbatim = false;
      int escapeColumn = pos - lineStart + 1;
      char e = pos + 1 < text.length() ? text.charAt(pos + 1) : '\0';
      pos += 2;
      switch (e) {
        case '"', '\\', '/' -> value.append(e);
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'n' -> value.append('\n');
        case 'r' -> value.append('\r');
        case 't' -> value.append('\t');
        case 'u' -> value.append(unicodeEscape(escapeColumn));
        default -> throw error(line, escapeColumn, "unknown escape '\\" + Texts.clip(String.valueOf(e))
            + "' in a JSON string; valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uHHHH");
      }
    }
  }

  private char unicodeEscape(int escapeColumn) {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int d = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
      if (d < 0) {
        throw error(line, escapeColumn, "escape '\\u' needs 4 hexadecimal digits");
      }
      value = value * 16 + d;
      pos++;
    }
    return (char) value;
  }

  private PolicyParseException error(Token at, String detail) {
    return error(at.line(), at.column(), detail);
  }

  private PolicyParseException error(int atLine, int atColumn, String detail) {
    return new PolicyParseException(fileName, atLine, atColumn, detail);
  }
}
