package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuditTextTest {
  private static final int UNCLIPPED = Integer.MAX_VALUE;

  @Test
  void escape_nul_becomesUnicodeEscape() {
    assertThat(AuditText.escape("a\0b", UNCLIPPED)).isEqualTo("a\\u0000b");
  }

  @Test
  void escape_everyC0Control_becomesFourHexDigitEscape() {
    for (char c = 0; c < 0x20; c++) {
      assertThat(AuditText.escape("x" + c, UNCLIPPED)).as("U+%04X", (int) c)
          .isEqualTo(String.format("x\\u%04x", (int) c));
    }
  }

  @Test
  void escape_delAndEveryC1Control_becomeEscapes() {
    for (char c = 0x7F; c <= 0x9F; c++) {
      assertThat(AuditText.escape(String.valueOf(c), UNCLIPPED)).as("U+%04X", (int) c)
          .isEqualTo(String.format("\\u%04x", (int) c));
    }
    assertThat(AuditText.escape("\u00a0", UNCLIPPED)).isEqualTo("\u00a0");
  }

  @Test
  void escape_lineAndParagraphSeparatorsAndNonCharacters_becomeEscapes() {
    assertThat(AuditText.escape("a\u2028b\u2029c\ufffed\uffff", UNCLIPPED))
        .isEqualTo("a\\u2028b\\u2029c\\ufffed\\uffff");
  }

  @Test
  void escape_loneHighSurrogate_becomesEscape() {
    assertThat(AuditText.escape("a\ud83d", UNCLIPPED)).isEqualTo("a\\ud83d");
    assertThat(AuditText.escape("\ud83dz", UNCLIPPED)).isEqualTo("\\ud83dz");
    assertThat(AuditText.escape("\ud83d\ud83d\ude00", UNCLIPPED)).isEqualTo("\\ud83d\ud83d\ude00");
  }

  @Test
  void escape_loneLowSurrogate_becomesEscape() {
    assertThat(AuditText.escape("\ude00a", UNCLIPPED)).isEqualTo("\\ude00a");
    assertThat(AuditText.escape("a\ude00", UNCLIPPED)).isEqualTo("a\\ude00");
    // reversed pair: a low then a high surrogate are two lone ones
    assertThat(AuditText.escape("\ude00\ud83d", UNCLIPPED)).isEqualTo("\\ude00\\ud83d");
  }

  @Test
  void escape_validSurrogatePair_isKept() {
    assertThat(AuditText.escape("x\ud83d\ude00y", UNCLIPPED)).isEqualTo("x\ud83d\ude00y");
  }

  @Test
  void escape_backslash_isDoubledSoEscapedTextDiffersFromRawControl() {
    assertThat(AuditText.escape("a\\b", UNCLIPPED)).isEqualTo("a\\\\b");
    assertThat(AuditText.escape("\\u0000", UNCLIPPED)).isEqualTo("\\\\u0000")
        .isNotEqualTo(AuditText.escape("\0", UNCLIPPED));
  }

  @Test
  void escape_cleanString_returnsSameInstance() {
    String ascii = "token:alice secret/db-password v3";
    String bmp = "caf\u00e9 \u4e2d\u6587 \u00a0";
    assertThat(AuditText.escape(ascii, 100)).isSameAs(ascii);
    assertThat(AuditText.escape(bmp, 100)).isSameAs(bmp);
    assertThat(AuditText.escape(ascii, ascii.length())).isSameAs(ascii);
  }

  @Test
  void escape_nullOrEmpty_returnsEmpty() {
    assertThat(AuditText.escape(null, 10)).isEmpty();
    assertThat(AuditText.escape("", 10)).isEmpty();
  }

  @Test
  void escape_clippedBeforeEscape_dropsTheWholeEscape() {
    assertThat(AuditText.escape("ab\0", 7)).isEqualTo("ab");
    assertThat(AuditText.escape("ab\0", 8)).isEqualTo("ab\\u0000");
    assertThat(AuditText.escape("a\\", 2)).isEqualTo("a");
    assertThat(AuditText.escape("a\\", 3)).isEqualTo("a\\\\");
    assertThat(AuditText.escape("a\ud83d\ude00", 2)).isEqualTo("a");
    assertThat(AuditText.escape("a\ud83d\ude00", 3)).isEqualTo("a\ud83d\ude00");
    assertThat(AuditText.escape("abcdef", 3)).isEqualTo("abc");
  }

  @Test
  void escape_everyClipLength_isTheLongestWholeTokenPrefix() {
    Random rnd = new Random(20240501L);
    for (int n = 0; n < 2_000; n++) {
      String s = randomString(rnd, 10);
      List<String> tokens = referenceTokens(s);
      int full = tokens.stream().mapToInt(String::length).sum();
      for (int max = 0; max <= full + 1; max++) {
        StringBuilder expected = new StringBuilder();
        for (String t : tokens) {
          if (expected.length() + t.length() > max) {
            break;
          }
          expected.append(t);
        }
        String clipped = AuditText.escape(s, max);
        if (!clipped.equals(expected.toString()) || clipped.length() > max || !s.startsWith(unescape(clipped))) {
          assertThat(clipped).as("escape(%s, %d)", codes(s), max).isEqualTo(expected.toString());
          throw new AssertionError("escape(" + codes(s) + ", " + max + ") = " + codes(clipped));
        }
      }
    }
  }

  @Test
  void escape_randomStrings_isInjectiveAndRoundTrips() {
    Random rnd = new Random(42L);
    Map<String, String> seen = new HashMap<>();
    for (int n = 0; n < 50_000; n++) {
      String s = randomString(rnd, 12);
      String e = AuditText.escape(s, UNCLIPPED);
      if (!unescape(e).equals(s)) {
        assertThat(unescape(e)).as("round trip of %s", codes(s)).isEqualTo(s);
      }
      if (!wellFormedAndPrintable(e)) {
        throw new AssertionError("escape(" + codes(s) + ") left a lone surrogate or control: " + codes(e));
      }
      String earlier = seen.putIfAbsent(e, s);
      if (earlier != null && !earlier.equals(s)) {
        throw new AssertionError(codes(earlier) + " and " + codes(s) + " both escape to " + codes(e));
      }
    }
    assertThat(seen).hasSizeGreaterThan(40_000);
  }

  private static final char[] TRICKY = {'a', 'u', '0', 'f', 'F', '\\', '\0', '\n', '\u001f', '\u007f', '\u0085',
      '\u009f', '\u00a0', '\u2028', '\u2029', '\ufffe', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\u00e9'};

  private static String randomString(Random rnd, int maxLength) {
    int len = rnd.nextInt(maxLength + 1);
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      int pick = rnd.nextInt(10);
      if (pick < 6) {
        sb.append(TRICKY[rnd.nextInt(TRICKY.length)]);
      } else if (pick < 8) {
        sb.appendCodePoint(0x1F600 + rnd.nextInt(80)); // a valid pair
      } else {
        sb.append((char) rnd.nextInt(0x10000));
      }
    }
    return sb.toString();
  }

  /** The tokens the documented escaping makes of {@code s}, written independently of the code under test. */
  private static List<String> referenceTokens(String s) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.add(s.substring(i, i + 2));
        i++;
      } else if (c == '\\') {
        out.add("\\\\");
      } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\ufffe'
          || c == '\uffff' || Character.isSurrogate(c)) {
        out.add(String.format("\\u%04x", (int) c));
      } else {
        out.add(String.valueOf(c));
      }
    }
    return out;
  }

  /** Reverses the escaping; fails on anything escape cannot have produced (a cut escape, a stray backslash). */
  static String unescape(String e) {
    StringBuilder sb = new StringBuilder(e.length());
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (c != '\\') {
        sb.append(c);
      } else if (i + 1 < e.length() && e.charAt(i + 1) == '\\') {
        sb.append('\\');
        i++;
      } else if (i + 5 < e.length() && e.charAt(i + 1) == 'u'
          && e.substring(i + 2, i + 6).matches("[0-9a-f]{4}")) {
        sb.append((char) Integer.parseInt(e.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        throw new AssertionError("not escape's output (stray or cut escape at " + i + "): " + codes(e));
      }
    }
    return sb.toString();
  }

  /** Whether {@code e} is well-formed UTF-16 without a character the escaping must remove. */
  private static boolean wellFormedAndPrintable(String e) {
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < e.length() && Character.isLowSurrogate(e.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c) || c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028'
          || c == '\u2029' || c == '\ufffe' || c == '\uffff') {
        return false;
      }
    }
    return true;
  }

  private static String codes(String s) {
    StringBuilder sb = new StringBuilder("[");
    s.chars().forEach(c -> sb.append(String.format(" %04x", c)));
    return sb.append(" ]").toString();
  }
}
