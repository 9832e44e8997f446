package io.secretsbroker.backend.gcp;

import io.secretsbroker.spi.BackendException;
import java.util.Optional;

/**
 * Maps broker names to GCP secret ids and back.
 *
 * <p>Secret ids allow {@code [A-Za-z0-9_-]{1,255}}; broker names also use {@code .} and {@code /}. Each character
 * maps on its own: {@code -} becomes {@code --}, {@code .} becomes {@code -d}, {@code /} becomes {@code -s}, and
 * every other character stays as it is. The codes form a prefix-free code, so the mapping is injective and
 * reversible, and it keeps both prefixes ({@code a} starts with {@code b} exactly when their ids do) and order
 * ({@code a < b} exactly when their ids compare the same way), because {@code -}, {@code .} and {@code /} sort
 * before every character left unchanged and {@code -} &lt; {@code d} &lt; {@code s}.
 *
 * <p>With an id prefix {@code p} the id is {@code p + "_" + code}; id prefixes contain no {@code _}, so mounts with
 * different id prefixes never share an id. Thread-safe and immutable.
 */
final class GcpNames {
  /** The longest secret id GCP accepts. */
  static final int MAX_ID_LENGTH = 255;

  private static final char ESCAPE = '-';
  private static final char PREFIX_SEPARATOR = '_';

  private final String idPrefix;

  /** A mapping that puts {@code idPrefix} (empty for none) in front of every id. */
  GcpNames(String idPrefix) {
    this.idPrefix = idPrefix.isEmpty() ? "" : idPrefix + PREFIX_SEPARATOR;
  }

  /**
   * The secret id of broker name {@code name}.
   *
   * @throws BackendException {@code INVALID_ARGUMENT} when the name has a character outside
   *     {@code [A-Za-z0-9._/-]} or its id would be longer than {@value #MAX_ID_LENGTH} characters
   */
  String toId(String name) {
    if (name.isEmpty()) {
      throw BackendException.invalid("an empty secret name cannot be stored in GCP Secret Manager");
    }
    String code = encode(name);
    if (code == null) {
      throw BackendException.invalid("secret name '" + name + "' has a character GCP Secret Manager cannot store");
    }
    String id = idPrefix + code;
    if (id.length() > MAX_ID_LENGTH) {
      throw BackendException.invalid("secret name '" + name + "' maps to a GCP secret id of " + id.length()
          + " characters, over GCP's limit of " + MAX_ID_LENGTH + " (each '-', '.' and '/' takes two)");
    }
    return id;
  }

  /** The broker name of secret id {@code id}, or empty when the id is not one this mapping produces. */
  Optional<String> toName(String id) {
    if (!id.startsWith(idPrefix) || id.length() == idPrefix.length()) {
      return Optional.empty();
    }
    return Optional.ofNullable(decode(id.substring(idPrefix.length())));
  }

  /**
   * The id prefix every secret whose name starts with {@code namePrefix} has, or empty when no broker name can
   * start with it (a character outside the alphabet).
   */
  Optional<String> idPrefixOf(String namePrefix) {
    String code = encode(namePrefix);
    return code == null ? Optional.empty() : Optional.of(idPrefix + code);
  }

  /** The code of {@code name}, or null when it has a character outside {@code [A-Za-z0-9._/-]}. */
  static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '-' -> out.append(ESCAPE).append('-');
        case '.' -> out.append(ESCAPE).append('d');
        case '/' -> out.append(ESCAPE).append('s');
        default -> {
          if (!isPlain(c)) {
            return null;
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }

  /** The name whose code is {@code code}, or null when {@code code} is not a code. */
  static String decode(String code) {
    StringBuilder out = new StringBuilder(code.length());
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == ESCAPE) {
        if (++i == code.length()) {
          return null;
        }
        switch (code.charAt(i)) {
          case '-' -> out.append('-');
          case 'd' -> out.append('.');
          case 's' -> out.append('/');
          default -> {
            return null;
          }
        }
      } else if (isPlain(c)) {
        out.append(c);
      } else {
        return null;
      }
    }
    return out.toString();
  }

  private static boolean isPlain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
}
