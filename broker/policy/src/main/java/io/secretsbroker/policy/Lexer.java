package io.secretsbroker.policy;

import io.secretsbroker.policy.Token.Kind;

/**
 * Splits policy text into {@link Token}s on demand, skipping whitespace and comments.
 *
 * <p>Newlines are plain whitespace, as in HCL 1 which Vault uses for policies. Comments are
 * {@code #} and {@code //} to the end of the line, and {@code /* ... *}{@code /} (not nested).
 * Strings are double-quoted, on one line, with the escapes {@code \\ \" \n \r \t \}{@code uNNNN
 * \}{@code UNNNNNNNN}. Every call consumes at least one character or returns {@link Kind#EOF}, so
 * lexing always terminates.
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
    if (isIdentStart(c)) {
      int start = pos;
      while (pos < text.length() && isIdentPart(text.charAt(pos))) {
        pos++;
      }
      return new Token(Kind.IDENT, text.substring(start, pos), line, column, true);
    }
    if (c >= '0' && c <= '9') {
      int start = pos;
      while (pos < text.length() && isIdentPart(text.charAt(pos))) {
        pos++;
      }
      return new Token(Kind.NUMBER, text.substring(start, pos), line, column, true);
    }
    if (c == '/') {
      throw error(line, column, "unexpected character '/': comments start with '//' or '/*'");
    }
    if (c == '<' && text.startsWith("<<", pos)) {
      throw error(line, column, "heredoc strings ('<<') are not allowed in policies");
    }
    throw error(line, column, "unexpected character " + Texts.character(text.codePointAt(pos)));
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

  private Token string(int column) {
    int startLine = line;
    pos++;
    StringBuilder value = null;
    int start = pos;
    while (true) {
      if (pos >= text.length()) {
        throw error(startLine, column, "unterminated string: no closing '\"' before the end of the file");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        String decoded = value == null ? text.substring(start, pos) : value.toString();
        pos++;
        return new Token(Kind.STRING, decoded, startLine, column, value == null);
      }
      if (c == '\n') {
        throw error(startLine, column,
            "unterminated string: no closing '\"' before the end of the line (strings cannot span lines)");
      }
      if (c == '\\') {
        if (value == null) {
          value = new StringBuilder(text.substring(start, pos));
        }
        escape(value);
      } else {
        if (value != null) {
          value.append(c);
        }
        pos++;
      }
    }
  }

  private void escape(StringBuilder value) {
    int column = pos - lineStart + 1;
    if (pos + 1 >= text.length()) {
      throw error(line, column, "unterminated escape sequence at the end of the file");
    }
    char e = text.charAt(pos + 1);
    switch (e) {
      case '\\' -> value.append('\\');
      case '"' -> value.append('"');
      case 'n' -> value.append('\n');
      case 'r' -> value.append('\r');
      case 't' -> value.append('\t');
      case 'u', 'U' -> {
        int digits = e == 'u' ? 4 : 8;
        int codePoint = 0;
        for (int i = 0; i < digits; i++) {
          int at = pos + 2 + i;
          int d = at < text.length() ? Character.digit(text.charAt(at), 16) : -1;
          if (d < 0) {
            throw error(line, column, "escape '\\" + e + "' needs " + digits + " hexadecimal digits");
          }
          codePoint = codePoint * 16 + d;
        }
        if (codePoint > Character.MAX_CODE_POINT
            || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
          throw error(line, column, String.format("escape '\\%c' names an invalid code point U+%X", e, codePoint));
        }
        value.appendCodePoint(codePoint);
        pos += digits;
      }
      default -> throw error(line, column, "unknown escape '\\" + Texts.clip(String.valueOf(e))
          + "' in a string; valid escapes: \\\\ \\\" \\n \\r \\t \\uNNNN \\UNNNNNNNN");
    }
    pos += 2;
  }

  private PolicyParseException error(int atLine, int atColumn, String detail) {
    return new PolicyParseException(fileName, atLine, atColumn, detail);
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }
}
