package io.secretsbroker.audit;

/**
 * Makes any string safe to record: the result is well-formed, printable Unicode that every sink (journal, SQL
 * text column, JSON) accepts unchanged. Backslash, C0/C1 control characters (NUL included), DEL, U+2028, U+2029,
 * U+FFFE, U+FFFF and lone UTF-16 surrogates become {@code \}{@code uXXXX}; a backslash becomes {@code \\}. So the
 * escaping is reversible and two different inputs never record alike.
 */
public final class AuditText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AuditText() {}

  /**
   * The escaped form of {@code s}, at most {@code maxChars} long; an escape sequence or a surrogate pair is never
   * cut in half. Null becomes "".
   */
  public static String escape(String s, int maxChars) {
    if (s == null || s.isEmpty()) {
      return "";
    }
    if (isClean(s) && s.length() <= maxChars) {
      return s;
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length() + 16, maxChars));
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (sb.length() + 2 > maxChars) {
          break;
        }
        sb.append(c).append(s.charAt(++i));
      } else if (c == '\\') {
        if (sb.length() + 2 > maxChars) {
          break;
        }
        sb.append("\\\\");
      } else if (needsEscape(c)) {
        if (sb.length() + 6 > maxChars) {
          break;
        }
        sb.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
            .append(HEX[c & 0xF]);
      } else {
        if (sb.length() + 1 > maxChars) {
          break;
        }
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * Reverses {@link #escape}: text read back from a sink becomes the input that, escaped again, gives the same text.
   * Anything {@code escape} cannot have produced is kept as it is.
   */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
        sb.append('\\');
        i++;
        continue;
      }
      if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u') {
        int v = 0;
        for (int k = i + 2; k < i + 6 && v >= 0; k++) {
          int d = Character.digit(s.charAt(k), 16);
          v = d < 0 ? -1 : v << 4 | d;
        }
        if (v >= 0) {
          sb.append((char) v);
          i += 5;
          continue;
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean isClean(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || needsEscape(c) || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\uFFFE'
        || c == '\uFFFF' || Character.isSurrogate(c);
  }
}
