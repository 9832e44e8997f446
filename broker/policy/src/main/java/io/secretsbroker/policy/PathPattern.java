package io.secretsbroker.policy;

/**
 * A policy path pattern, classified the way Vault's {@code parsePaths} classifies it.
 *
 * <ul>
 *   <li>{@link Kind#SEGMENTS}: the pattern is {@code +}, starts with {@code +/} or contains
 *       {@code /+}. Each segment that is exactly {@code +} matches the characters of exactly one
 *       path segment (up to the next {@code /}; Vault lets that be empty); other segments match
 *       literally; with a trailing {@code *} the last segment is a prefix and more segments may
 *       follow.</li>
 *   <li>{@link Kind#PREFIX}: otherwise, a trailing {@code *}: matches every path that starts with
 *       the pattern minus its {@code *}.</li>
 *   <li>{@link Kind#EXACT}: otherwise: matches one path.</li>
 * </ul>
 * A {@code *} anywhere but last, and a {@code +} that is not a whole segment, are literal
 * characters, as in Vault. The priority fields are Vault's: position of the first {@code +} or of
 * the glob, whether it ends in {@code *}, number of {@code +} segments, length and text of the
 * pattern without its {@code *}.
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
    if (pattern.equals("+") || pattern.contains("/+") || pattern.startsWith("+/")) {
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

  /** Returns {@code true} when this pattern matches {@code path} (leading slashes already removed). */
  boolean matches(String path) {
    return switch (kind) {
      case EXACT -> pattern.equals(path);
      case PREFIX -> path.startsWith(body);
      case SEGMENTS -> matches(split(path));
    };
  }

  /** Vault's segment-wildcard match: {@code +} takes any one segment; a trailing {@code *} a prefix. */
  boolean matches(String[] parts) {
    int k = segments.length;
    if (parts.length < k || (!isPrefix && parts.length != k)) {
      return false;
    }
    for (int i = 0; i < k; i++) {
      String s = segments[i];
      if (s.equals("+") || s.equals(parts[i])) {
        continue;
      }
      if (isPrefix && i == k - 1 && parts[i].startsWith(s)) {
        continue;
      }
      return false;
    }
    return true;
  }

  /**
   * Returns the pattern held by a string (or bare word) token as Vault reads it: one leading
   * {@code /} removed. Any characters are allowed, as in Vault.
   *
   * <p>Rejected as Vault rejects them: {@code +*} anywhere, and unbalanced template braces. Also
   * rejected, though Vault accepts it: a templated path ({@code {{identity.entity.id}}}), because
   * the broker's principals are not Vault identity entities, so it could never be filled in.
   *
   * @throws PolicyParseException positioned on the offending character when it can be
   */
  static String normalize(Token token, String fileName) {
    String raw = token.text();
    if (raw.contains("{{")) {
      throw error(token, fileName, raw.indexOf("{{"),
          "templated policy paths ({{identity...}}) are not supported by Secrets Broker: its principals are not Vault identity entities");
    }
    if (raw.contains("}}")) {
      throw error(token, fileName, raw.indexOf("}}"), "unbalanced '}}' in a path (Vault rejects it as a broken template)");
    }
    int shift = raw.startsWith("/") ? 1 : 0;
    String p = raw.substring(shift);
    int plusStar = p.indexOf("+*");
    if (plusStar >= 0) {
      throw error(token, fileName, plusStar + shift,
          "'+*' is not allowed (Vault rejects it too): write '+/*' for anything below one segment, or end with '*'");
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
      column += (token.kind() == Token.Kind.STRING ? 1 : 0) + index;
    }
    return new PolicyParseException(fileName, token.line(), column, detail);
  }
}
