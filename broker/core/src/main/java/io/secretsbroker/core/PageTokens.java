package io.secretsbroker.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens that carry one non-negative number (an offset or a sequence) and a kind, so a token from
 * one listing is refused by another. A token the server did not issue is {@code INVALID_ARGUMENT} naming
 * {@code page.page_token}.
 */
public final class PageTokens {
  private PageTokens() {}

  /** The token for {@code position} in listings of {@code kind} (a short tag such as "r" or "a"). */
  public static String encode(String kind, long position) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((kind + ":" + position).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The position in {@code token}, or 0 for the empty token (the first page).
   *
   * @throws BrokerException INVALID_ARGUMENT for a token not made by {@link #encode} with the same kind
   */
  public static long decode(String kind, String token) {
    if (token.isEmpty()) {
      return 0;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!s.startsWith(kind + ":")) {
        throw new IllegalArgumentException();
      }
      long position = Long.parseLong(s.substring(kind.length() + 1));
      if (position < 0) {
        throw new IllegalArgumentException();
      }
      return position;
    } catch (IllegalArgumentException e) {
      throw BrokerException.invalid("page.page_token", "not a token this server issued");
    }
  }

  /** {@link #decode} for offsets, which must fit an int. */
  public static int decodeOffset(String kind, String token) {
    long v = decode(kind, token);
    if (v > Integer.MAX_VALUE) {
      throw BrokerException.invalid("page.page_token", "not a token this server issued");
    }
    return (int) v;
  }
}
