package io.secretsbroker.cli;

import com.google.protobuf.Timestamp;
import io.secretsbroker.client.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Formatting shared by the commands. */
final class Fmt {
  private Fmt() {}

  /** The instant of a wire timestamp, or {@code null} when the field is unset. */
  static Instant instant(boolean present, Timestamp ts) {
    return present ? Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()) : null;
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** An instant for a table cell: {@code -} when unknown. */
  static String time(Instant instant) {
    return instant == null ? "-" : instant.toString();
  }

  /** Stage names in lower case, e.g. {@code [current]}. */
  static List<String> stages(Collection<Stage> stages) {
    return stages.stream().sorted().map(s -> s.name().toLowerCase(Locale.ROOT)).toList();
  }

  /** Why a file could not be read, in words, without the exception's (path-repeating) message. */
  static String reason(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not valid UTF-8";
    }
    if (e.getMessage() != null && e.getMessage().contains("Is a directory")) {
      return "is a directory";
    }
    return "I/O error";
  }

  /** {@code -} for an empty string. */
  static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** The text with control characters replaced, so a cell cannot break or forge lines of a table. */
  static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.toString();
  }
}
