package io.secretsbroker.policy;

/**
 * One lexical token of a policy file, HCL or JSON.
 *
 * @param kind what the token is
 * @param text the identifier, number or boolean as written, or a string's (or heredoc's) decoded
 *     value; empty for punctuation and end of file
 * @param line 1-based line of the token's first character
 * @param column 1-based column of the token's first character
 * @param verbatim for a string, whether its value is its source text between the quotes with no
 *     escape sequence, so that value index {@code i} sits at column {@code column + 1 + i}
 */
record Token(Kind kind, String text, int line, int column, boolean verbatim) {

  enum Kind {
    IDENT, BOOL, NULL, STRING, HEREDOC, NUMBER, FLOAT,
    LBRACE, RBRACE, LBRACKET, RBRACKET, EQUALS, COLON, COMMA, EOF
  }

  /** Returns {@code true} for a value that is not a list or an object. */
  boolean isScalar() {
    return switch (kind) {
      case BOOL, NULL, STRING, HEREDOC, NUMBER, FLOAT -> true;
      default -> false;
    };
  }

  /** Describes the token for an error message, for example {@code bare word 'read'}. */
  String describe() {
    return switch (kind) {
      case IDENT -> "bare word '" + Texts.clip(text) + "'";
      case BOOL -> "boolean '" + text + "'";
      case NULL -> "null";
      case STRING -> "string " + Texts.quote(text);
      case HEREDOC -> "heredoc string";
      case NUMBER, FLOAT -> "number '" + Texts.clip(text) + "'";
      case LBRACE -> "'{'";
      case RBRACE -> "'}'";
      case LBRACKET -> "'['";
      case RBRACKET -> "']'";
      case EQUALS -> "'='";
      case COLON -> "':'";
      case COMMA -> "','";
      case EOF -> "end of file";
    };
  }

  /** Returns {@code line:column} of the token. */
  String at() {
    return line + ":" + column;
  }
}
