package io.secretsbroker.backend.azure;

import io.secretsbroker.spi.BackendException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps broker names to Key Vault secret names and back.
 *
 * <p>Key Vault names are {@code [0-9a-zA-Z-]}, 1 to 127 characters, and compared without regard to case. The
 * mapping therefore writes only lower-case letters, digits and {@code -}, and {@code -} always starts a
 * two-character escape:
 *
 * <pre>
 *   a-z 0-9   themselves        A-Z   "-" + the lower-case letter   ("Db" becomes "-db")
 *   /         "--"              -     "-0"
 *   .         "-1"              _     "-2"
 * </pre>
 *
 * <p>Every broker character has exactly one code, and no code is the start of another, so the mapping is
 * injective and reversible; since its output has no upper-case letter, two different broker names never map
 * to Key Vault names that differ only in case. A broker prefix maps to a prefix of the mapped names, which lets a
 * listing filter by mapped name. The configured {@code name-prefix} is put in front of every mapped name.
 *
 * <p>Thread-safe and immutable.
 */
final class AzureNames {
  /** Key Vault's limit on the length of a secret name. */
  static final int MAX_KEY_VAULT_NAME_LENGTH = 127;
  /** What a {@code name-prefix} may hold. */
  static final Pattern NAME_PREFIX = Pattern.compile("[0-9a-zA-Z-]{1,64}");
  private static final char ESCAPE = '-';

  private final String namePrefix;

  /**
   * @param namePrefix put in front of every mapped name; empty for none; must match {@link #NAME_PREFIX}
   */
  AzureNames(String namePrefix) {
    if (!namePrefix.isEmpty() && !NAME_PREFIX.matcher(namePrefix).matches()) {
      throw new IllegalArgumentException("name prefix must match " + NAME_PREFIX.pattern());
    }
    this.namePrefix = namePrefix.toLowerCase(Locale.ROOT);
  }

  /** The prefix in front of every mapped name, in lower case. */
  String namePrefix() {
    return namePrefix;
  }

  /**
   * The Key Vault name of broker name {@code name}.
   *
   * @throws BackendException {@code INVALID_ARGUMENT} when the name holds a character outside the broker's set or
   *     its mapped form is longer than Key Vault allows
   */
  String toKeyVault(String name) {
    if (name.isEmpty()) {
      throw BackendException.invalid("secret name must not be empty");
    }
    String mapped = namePrefix + encode(name);
    if (mapped.length() > MAX_KEY_VAULT_NAME_LENGTH) {
      throw BackendException.invalid("secret '" + name + "' maps to a Key Vault name of " + mapped.length()
          + " characters; Key Vault allows " + MAX_KEY_VAULT_NAME_LENGTH
          + " (upper-case letters and each of / . _ - take two characters)");
    }
    return mapped;
  }

  /**
   * The mapped form of a listing prefix, name prefix included; a Key Vault name belongs under broker prefix
   * {@code prefix} exactly when it starts with this (ignoring case).
   *
   * @throws BackendException {@code INVALID_ARGUMENT} when the prefix holds a character outside the broker's set
   */
  String toKeyVaultPrefix(String prefix) {
    return namePrefix + encode(prefix);
  }

  /**
   * The broker name that Key Vault name {@code keyVaultName} stands for, or empty when it does not carry this
   * mapping's name prefix or is not a valid mapped name.
   */
  Optional<String> fromKeyVault(String keyVaultName) {
    String lower = keyVaultName.toLowerCase(Locale.ROOT);
    if (!lower.startsWith(namePrefix) || lower.length() == namePrefix.length()) {
      return Optional.empty();
    }
    return decode(lower.substring(namePrefix.length()));
  }

  /** Maps each character; the result holds only {@code [a-z0-9-]}. */
  static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        out.append(ESCAPE).append((char) (c - 'A' + 'a'));
      } else {
        char code = switch (c) {
          case '/' -> '-';
          case '-' -> '0';
          case '.' -> '1';
          case '_' -> '2';
          default -> throw BackendException.invalid("secret name '" + printable(name)
              + "' holds a character outside [A-Za-z0-9._-/]");
        };
        out.append(ESCAPE).append(code);
      }
    }
    return out.toString();
  }

  /** Reverses {@link #encode}; empty when {@code mapped} (in lower case) is no output of it. */
  static Optional<String> decode(String mapped) {
    StringBuilder out = new StringBuilder(mapped.length());
    for (int i = 0; i < mapped.length(); i++) {
      char c = mapped.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
        continue;
      }
      if (c != ESCAPE || i + 1 == mapped.length()) {
        return Optional.empty();
      }
      char code = mapped.charAt(++i);
      if (code >= 'a' && code <= 'z') {
        out.append((char) (code - 'a' + 'A'));
      } else {
        char original = switch (code) {
          case '-' -> '/';
          case '0' -> '-';
          case '1' -> '.';
          case '2' -> '_';
          default -> 0;
        };
        if (original == 0) {
          return Optional.empty();
        }
        out.append(original);
      }
    }
    return Optional.of(out.toString());
  }

  private static String printable(String name) {
    return name.codePoints().allMatch(cp -> cp >= 0x20 && cp < 0x7f) ? name : "<non-printable>";
  }
}
