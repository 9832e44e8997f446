package io.secretsbroker.policy;

import io.secretsbroker.policy.Token.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits HCL policy text into {@link Token}s on demand, skipping whitespace and comments, as the
 * HCL 1 scanner Vault uses does.
 *
 * <p>Whitespace is space, tab, carriage return and newline. Comments are {@code #} and {@code //} to
 * the end of the line, and {@code /* ... *}{@code /} (not nested). Identifiers start with a letter
 * or {@code _} and go on with letters, digits, {@code -} and {@code .}; {@code true} and
 * {@code false} are booleans. Numbers are decimal, octal ({@code 017}) or hexadecimal
 * ({@code 0x1F}) integers or decimal floats, optionally negative. Strings are double-quoted on one
 * line, with Go's escapes {@code \a \b \f \n \r \t \v \\ \"}, three octal digits, {@code \xHH},
 * {@code \}{@code uHHHH} and {@code \}{@code UHHHHHHHH}; {@code \xHH} and octal escapes are bytes,
 * and the decoded string must be valid UTF-8. Inside {@code ${...}} a string keeps its characters
 * as written (HCL's interpolation syntax, which Vault never evaluates). Heredocs are
 * {@code <<ANCHOR} or {@code <<-ANCHOR} up to a line holding only the anchor. Every call consumes
 * at least one character or returns {@link Kind#EOF}, so lexing always terminates.
 */
final class Lexer {
  private final String text;
  private final String fileName;
  private int pos;
  private int line = 1;
  private int lineStart;

  Lexer(String text, String fileName) {
    this.text = text;
    this.fileName = fileName;
    if (text.startsWith("\uFEFF")) {
      pos = 1;
      lineStart = 1;
    }
  }

  /** Returns the next token; at the end of the input, {@link Kind#EOF} every time. */
  Token next() {
    skipBlanks();
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
      case '=' -> Kind.EQUALS;
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
    int codePoint = text.codePointAt(pos);
    if (isIdentStart(codePoint)) {
      int start = pos;
      while (pos < text.length() && isIdentPart(text.codePointAt(pos))) {
        pos += Character.charCount(text.codePointAt(pos));
      }
      String word = text.substring(start, pos);
      Kind kind = word.equals("true") || word.equals("false") ? Kind.BOOL : Kind.IDENT;
      return new Token(kind, word, line, column, true);
    }
    if (isDigit(c) || ((c == '-' || c == '.') && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
      return number(column);
    }
    if (c == '/') {
      throw error(line, column, "unexpected character '/': comments start with '//' or '/*'");
    }
    if (c == '<' && text.startsWith("<<", pos)) {
      return heredoc(column);
    }
    throw error(line, column, "unexpected character " + Texts.character(codePoint));
  }

  private void skipBlanks() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
      } else if (c == '#' || (c == '/' && text.startsWith("//", pos))) {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == '/' && text.startsWith("/*", pos)) {
        blockComment();
      } else {
        return;
      }
    }
  }

  private void blockComment() {
    int startLine = line;
    int startColumn = pos - lineStart + 1;
    pos += 2;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '*' && text.startsWith("*/", pos)) {
        pos += 2;
        return;
      }
      pos++;
      if (c == '\n') {
        line++;
        lineStart = pos;
      }
    }
    throw error(startLine, startColumn, "unterminated comment: '/*' has no closing '*/'");
  }

  /** HCL's number syntax: the token ends where the number does, whatever follows. */
  private Token number(int column) {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    boolean isFloat = false;
    if (text.startsWith("0x", pos) || text.startsWith("0X", pos)) {
      pos += 2;
      int digits = pos;
      while (pos < text.length() && Character.digit(text.charAt(pos), 16) >= 0) {
        pos++;
      }
      if (pos == digits) {
        throw error(line, column, "illegal hexadecimal number: '0x' needs at least one hexadecimal digit");
      }
      return new Token(Kind.NUMBER, text.substring(start, pos), line, column, true);
    }
    boolean octal = pos < text.length() && text.charAt(pos) == '0';
    boolean notOctal = false;
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      notOctal |= text.charAt(pos) >= '8';
      pos++;
    }
    if (pos < text.length() && text.charAt(pos) == '.') {
      isFloat = true;
      pos++;
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      isFloat = true;
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (octal && notOctal && !isFloat) {
      throw error(line, column, "illegal octal number '" + text.substring(start, pos) + "': a leading 0 means octal");
    }
    return new Token(isFloat ? Kind.FLOAT : Kind.NUMBER, text.substring(start, pos), line, column, true);
  }

  private Token string(int column) {
    int startLine = line;
    pos++;
    StringBuilder value = new StringBuilder();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(0);
    boolean verbatim = true;
    int braces = 0;
    while (true) {
      if (pos >= text.length()) {
        throw error(startLine, column, "unterminated string: no closing '\"' before the end of the file");
      }
      char c = text.charAt(pos);
      if (c == '\n') {
        throw error(startLine, column,
            "unterminated string: no closing '\"' before the end of the line (strings cannot span lines)");
      }
      if (c == '\\') {
        int escapeStart = pos;
        int codePoint = escape(braces > 0 ? null : bytes);
        if (braces > 0) {
          value.append(text, escapeStart, pos);
        } else if (codePoint >= 0) {
          flushBytes(value, bytes, startLine, column);
          value.appendCodePoint(codePoint);
          verbatim = false;
        } else {
          verbatim = false;
        }
        continue;
      }
      if (braces == 0 && c == '"') {
        flushBytes(value, bytes, startLine, column);
        pos++;
        return new Token(Kind.STRING, value.toString(), startLine, column, verbatim);
      }
      flushBytes(value, bytes, startLine, column);
      if (braces == 0 && c == '$' && text.startsWith("${", pos)) {
        braces = 1;
        value.append("${");
        pos += 2;
        continue;
      }
      if (braces > 0 && c == '{') {
        braces++;
      } else if (braces > 0 && c == '}') {
        braces--;
      }
      value.append(c);
      pos++;
    }
  }

  /**
   * Reads the escape at {@code pos} and moves past it. Returns the code point it stands for, or -1
   * when it is a byte ({@code \xHH} or octal), which is then added to {@code bytes} unless that is
   * {@code null} (inside {@code ${...}}, where escapes are checked but kept as written).
   */
  private int escape(ByteArrayOutputStream bytes) {
    int column = pos - lineStart + 1;
    if (pos + 1 >= text.length()) {
      throw error(line, column, "unterminated escape sequence at the end of the file");
    }
    char e = text.charAt(pos + 1);
    int simple = switch (e) {
      case 'a' -> 0x07;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'v' -> 0x0B;
      case '\\' -> '\\';
      case '"' -> '"';
      default -> -1;
    };
    if (simple >= 0) {
      pos += 2;
      return simple;
    }
    if (e >= '0' && e <= '7') {
      long value = digits(pos + 1, 3, 8, column, "an octal escape needs three octal digits, like \\101");
      if (value > 0xFF) {
        throw error(line, column, "octal escape '" + text.substring(pos, pos + 4) + "' is above \\377");
      }
      pos += 4;
      if (bytes != null) {
        bytes.write((int) value);
      }
      return -1;
    }
    if (e == 'x') {
      long value = digits(pos + 2, 2, 16, column, "escape '\\x' needs 2 hexadecimal digits");
      pos += 4;
      if (bytes != null) {
        bytes.write((int) value);
      }
      return -1;
    }
    if (e == 'u' || e == 'U') {
      int count = e == 'u' ? 4 : 8;
      long value = digits(pos + 2, count, 16, column, "escape '\\" + e + "' needs " + count + " hexadecimal digits");
      if (value > Character.MAX_CODE_POINT) {
        throw error(line, column, String.format("escape '\\%c' names an invalid code point U+%X", e, value));
      }
      pos += 2 + count;
      // Go encodes a surrogate code point as U+FFFD, and so does Vault.
      return value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE ? 0xFFFD : (int) value;
    }
    throw error(line, column, "unknown escape '\\" + Texts.clip(String.valueOf(e))
        + "' in a string; valid escapes: \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" \\NNN (octal) \\xHH \\uHHHH \\UHHHHHHHH");
  }

  private long digits(int from, int count, int radix, int column, String problem) {
    long value = 0;
    for (int i = 0; i < count; i++) {
      int at = from + i;
      int d = at < text.length() ? Character.digit(text.charAt(at), radix) : -1;
      if (d < 0) {
        throw error(line, column, problem);
      }
      value = value * radix + d;
    }
    return value;
  }

  /** Appends the pending escaped bytes to {@code value} as UTF-8, which they must be. */
  private void flushBytes(StringBuilder value, ByteArrayOutputStream bytes, int atLine, int atColumn) {
    if (bytes.size() == 0) {
      return;
    }
    try {
      value.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())));
    } catch (CharacterCodingException e) {
      throw error(atLine, atColumn, "the string's \\x or octal escapes are not valid UTF-8; policy paths are UTF-8 text");
    }
    bytes.reset();
  }

  private Token heredoc(int column) {
    int startLine = line;
    int at = pos + 2;
    boolean indented = at < text.length() && text.charAt(at) == '-';
    if (indented) {
      at++;
    }
    int nameStart = at;
    while (at < text.length() && (isIdentStart(text.codePointAt(at)) || Character.isDigit(text.codePointAt(at)))) {
      at += Character.charCount(text.codePointAt(at));
    }
    String anchor = text.substring(nameStart, at);
    if (at < text.length() && text.charAt(at) == '\r') {
      at++;
    }
    if (anchor.isEmpty() || at >= text.length() || text.charAt(at) != '\n') {
      throw error(startLine, column, "a heredoc starts with '<<ANCHOR' (or '<<-ANCHOR') alone at the end of its line");
    }
    pos = at + 1;
    line++;
    lineStart = pos;
    StringBuilder value = new StringBuilder();
    String indent;
    while (true) {
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        throw error(startLine, column, "unterminated heredoc: no line holding only '" + Texts.clip(anchor) + "' (followed by a newline)");
      }
      String content = text.substring(pos, end);
      pos = end + 1;
      line++;
      lineStart = pos;
      int stop = content.length();
      while (stop > 0 && content.charAt(stop - 1) == '\r') {
        stop--;
      }
      int lead = 0;
      while (lead < stop && " \t\r\f\u000B".indexOf(content.charAt(lead)) >= 0) {
        lead++;
      }
      if (content.substring(lead, stop).equals(anchor)) {
        indent = content.substring(0, lead);
        break;
      }
      value.append(content, 0, stop).append('\n');
    }
    String result = value.toString();
    if (indented && !indent.isEmpty()) {
      boolean all = result.lines().allMatch(l -> l.startsWith(indent));
      result = all ? result.lines().map(l -> l.substring(indent.length()) + "\n").reduce("", String::concat) : result.stripTrailing();
    }
    return new Token(Kind.HEREDOC, result, startLine, column, false);
  }

  private PolicyParseException error(int atLine, int atColumn, String detail) {
    return new PolicyParseException(fileName, atLine, atColumn, detail);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentStart(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= 0x80 && Character.isLetter(c));
  }

  private static boolean isIdentPart(int c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || (c >= 0x80 && Character.isDigit(c));
  }
}
