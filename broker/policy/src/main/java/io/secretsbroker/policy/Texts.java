package io.secretsbroker.policy;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Helpers for readable, bounded error messages. */
final class Texts {
  private static final int MAX_SHOWN = 60;

  private Texts() {}

  /** Shortens {@code s} for a message and replaces non-printable characters by {@code U+XXXX}. */
  static String clip(String s) {
    StringBuilder b = new StringBuilder();
    int limit = Math.min(s.length(), MAX_SHOWN);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format("U+%04X", (int) c));
      }
    }
    if (s.length() > limit) {
      b.append("...");
    }
    return b.toString();
  }

  /** Quotes {@code s} for a message: {@code "secret/data/x"}, escaping quotes and backslashes. */
  static String quote(String s) {
    return '"' + clip(s).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Describes one character for a message, for example {@code '@'} or {@code U+0000}. */
  static String character(int codePoint) {
    if (codePoint >= 0x21 && codePoint < 0x7f) {
      return "'" + (char) codePoint + "'";
    }
    if (codePoint == ' ') {
      return "' ' (a space)";
    }
    return String.format("U+%04X", codePoint);
  }

  /** Returns the candidate closest to {@code word} within two edits, if one is. */
  static Optional<String> closest(String word, Collection<String> candidates) {
    if (word.length() > 40) {
      return Optional.empty();
    }
    String lower = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int d = distance(lower, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        row[j] = Math.min(substitution, Math.min(previous[j] + 1, row[j - 1] + 1));
      }
      int[] swap = previous;
      previous = row;
      row = swap;
    }
    return previous[b.length()];
  }

  /** Returns {@code true} when {@code name} is a valid policy name: {@code [A-Za-z0-9._-]+}. */
  static boolean isPolicyName(String name) {
    if (name.isEmpty() || name.length() > 128 || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isNameChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Returns {@code true} for the characters of a broker name segment: {@code [A-Za-z0-9._-]}. */
  static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }
}
