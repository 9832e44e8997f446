package io.secretsbroker.core;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The rules for secret names and prefixes: {@code segment/segment/...}, segments of {@code [A-Za-z0-9._-]},
 * no empty segment, no {@code .} or {@code ..} segment, at most {@value #MAX_NAME_BYTES} bytes.
 */
public final class SecretNames {
  /** The longest name, in bytes. */
  public static final int MAX_NAME_BYTES = 512;

  private SecretNames() {}

  /**
   * Checks a secret name.
   *
   * @param field the request field holding it, for the error message
   * @throws BrokerException {@link Failure#INVALID_ARGUMENT} naming the field and the rule broken
   */
  public static String requireValidName(String field, String name) {
    String problem = problem(name, false);
    if (problem != null) {
      throw BrokerException.invalid(field, problem);
    }
    return name;
  }

  /**
   * Checks a listing prefix: empty, a valid name, or a valid name followed by {@code /}.
   *
   * @throws BrokerException {@link Failure#INVALID_ARGUMENT} naming the field and the rule broken
   */
  public static String requireValidPrefix(String field, String prefix) {
    if (prefix.isEmpty()) {
      return prefix;
    }
    String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    String problem = body.endsWith("/") ? "prefix must not contain an empty segment ('//')" : problem(body, true);
    if (problem != null) {
      throw BrokerException.invalid(field, problem);
    }
    return prefix;
  }

  /** The rule {@code name} breaks, or null when it is valid. */
  static String problem(String name, boolean isPrefix) {
    String what = isPrefix ? "prefix" : "name";
    if (name == null || name.isEmpty()) {
      return what + " must not be empty";
    }
    if (name.getBytes(UTF_8).length > MAX_NAME_BYTES) {
      return what + " must be at most " + MAX_NAME_BYTES + " bytes";
    }
    if (name.startsWith("/")) {
      return what + " must not start with '/'";
    }
    if (name.endsWith("/")) {
      return what + " must not end with '/'";
    }
    int segmentStart = 0;
    for (int i = 0; i <= name.length(); i++) {
      if (i == name.length() || name.charAt(i) == '/') {
        String segment = name.substring(segmentStart, i);
        if (segment.isEmpty()) {
          return what + " must not contain an empty segment ('//')";
        }
        if (segment.equals(".") || segment.equals("..")) {
          return what + " must not contain a '" + segment + "' segment";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return what + " may contain only letters, digits, '.', '_', '-' and '/' between segments"
            + " (found " + describe(c) + " at position " + i + ")";
      }
    }
    return null;
  }

  private static String describe(char c) {
    return (c >= 0x21 && c < 0x7f) ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
