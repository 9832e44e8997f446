package io.secretsbroker.policy;

/**
 * A policy path pattern, validated and classified the way Vault classifies it.
 *
 * <ul>
 *   <li>{@link Kind#EXACT}: no {@code +} segment, no trailing {@code *}: matches one path.</li>
 *   <li>{@link Kind#PREFIX}: trailing {@code *}, no {@code +} segment: matches every path that
 *       starts with the pattern minus its {@code *}.</li>
 *   <li>{@link Kind#SEGMENTS}: one or more {@code +} segments, each matching the characters of
 *       exactly one path segment (up to the next {@code /}; Vault lets that be empty); with a
 *       trailing {@code *} its last segment is a prefix and more segments may follow.</li>
 * </ul>
 * The priority fields are Vault's: position of the first {@code +} or of the glob, whether it ends
 * in {@code *}, number of {@code +} segments, length and text of the pattern without its {@code *}.
 */
final class PathPattern {
  enum Kind { EXACT, PREFIX, SEGMENTS }

  final String pattern;
  final Kind kind;
  final boolean isPrefix;
  /** The pattern without its trailing {@code *}. */
  final String body;
  /** Index of the first {@code +} (segment patterns) or of the {@code *} (prefix patterns). */
  final int firstWildcard;
  final int wildcards;
  /** The segments of {@link #body}, split at {@code /}; {@code "+"} for a wildcard segment. */
  final String[] segments;

  private PathPattern(String pattern) {
    this.pattern = pattern;
    this.isPrefix = pattern.endsWith("*");
    this.body = isPrefix ? pattern.substring(0, pattern.length() - 1) : pattern;
    this.segments = split(body);
    int count = 0;
    for (String segment : segments) {
      if (segment.equals("+")) {
        count++;
      }
    }
    this.wildcards = count;
    if (count > 0) {
      kind = Kind.SEGMENTS;
      firstWildcard = pattern.indexOf('+');
    } else {
      kind = isPrefix ? Kind.PREFIX : Kind.EXACT;
      firstWildcard = body.length();
    }
  }

  /** Classifies a pattern that {@link #normalize} accepted. */
  static PathPattern of(String normalizedPattern) {
    return new PathPattern(normalizedPattern);
  }

  /**
   * Validates the pattern held by a string token and returns it as Vault reads it (one leading
   * {@code /} removed).
   *
   * <p>Rejected, because such a pattern could never match a broker path or is a likely typo:
   * templates ({@code {{identity...}}}), the empty pattern, characters outside
   * {@code [A-Za-z0-9._-/+*]}, empty segments ({@code //}), {@code *} anywhere but last,
   * {@code +*}, and {@code +} that is not a whole segment.
   *
   * @throws PolicyParseException positioned on the offending character when it can be
   */
  static String normalize(Token token, String fileName) {
    String raw = token.text();
    if (raw.contains("{{")) {
      throw error(token, fileName, raw.indexOf("{{"),
          "templated policy paths ({{identity...}}) are not supported by Secrets Broker");
    }
    int shift = raw.startsWith("/") ? 1 : 0;
    String p = raw.substring(shift);
    if (p.isEmpty()) {
      throw error(token, fileName, -1, "empty path pattern: write the path the rule applies to, like \"secret/data/app/*\"");
    }
    int last = p.length() - 1;
    for (int i = 0; i <= last; i++) {
      char c = p.charAt(i);
      if (c == '/') {
        if (i == 0 || p.charAt(i - 1) == '/') {
          throw error(token, fileName, i + shift,
              "empty path segment in " + Texts.quote(raw) + ": broker paths have no '//' and no leading '/', so this rule could never match");
        }
      } else if (c == '*') {
        if (i != last) {
          throw error(token, fileName, i + shift,
              "'*' is a glob only as the last character of a pattern; elsewhere Vault reads it literally and broker paths never contain '*'");
        }
        if (i > 0 && p.charAt(i - 1) == '+') {
          throw error(token, fileName, i + shift - 1,
              "'+*' is not allowed (Vault rejects it too): write '+/*' for anything below one segment, or end with '*'");
        }
      } else if (c == '+') {
        boolean startsSegment = i == 0 || p.charAt(i - 1) == '/';
        boolean endsSegment = i == last || p.charAt(i + 1) == '/' || p.charAt(i + 1) == '*';
        if (!startsSegment || !endsSegment) {
          throw error(token, fileName, i + shift,
              "'+' is a wildcard only as a whole path segment (like \"secret/data/+/db\"); broker paths never contain '+'");
        }
      } else if (!Texts.isNameChar(c)) {
        throw error(token, fileName, i + shift, "character " + Texts.character(p.codePointAt(i))
            + " cannot appear in a broker path, so this rule could never match; paths are segments of [A-Za-z0-9._-] separated by '/'");
      }
    }
    return p;
  }

  /** Splits at every {@code /}, keeping empty parts, as Go's {@code strings.Split} does. */
  static String[] split(String s) {
    int parts = 1;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '/') {
        parts++;
      }
    }
    String[] out = new String[parts];
    int start = 0;
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '/') {
        out[n++] = s.substring(start, i);
        start = i + 1;
      }
    }
    out[n] = s.substring(start);
    return out;
  }

  /**
   * Points at value index {@code index} of the token's string when the string had no escapes (so
   * indexes map to columns), otherwise at the string's opening quote.
   */
  private static PolicyParseException error(Token token, String fileName, int index, String detail) {
    int column = token.column();
    if (index >= 0 && token.verbatim()) {
      column += 1 + index;
    }
    return new PolicyParseException(fileName, token.line(), column, detail);
  }
}
