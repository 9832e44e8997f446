package io.secretsbroker.core.rotation;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * How a rotation makes a new value: a random {@link Password}, {@link RandomBytes}, or an {@link External} value
 * that the operator supplies with {@code RotateSecret}. Immutable.
 */
public sealed interface Generator permits Generator.Password, Generator.RandomBytes, Generator.External {

  /** The length used when a policy gives none: 32 characters or bytes. */
  int DEFAULT_LENGTH = 32;
  /** The shortest password a policy may ask for. */
  int MIN_PASSWORD_LENGTH = 8;
  /** The longest password a policy may ask for. */
  int MAX_PASSWORD_LENGTH = 1024;
  /** The fewest random bytes a policy may ask for. */
  int MIN_RANDOM_BYTES = 8;
  /** The most random bytes a policy may ask for (base64 of it stays far below the 64 KiB value limit). */
  int MAX_RANDOM_BYTES = 4096;
  /** The character classes of a password when a policy names none. */
  Set<CharacterClass> DEFAULT_CLASSES = Set.copyOf(
      EnumSet.of(CharacterClass.LOWER, CharacterClass.UPPER, CharacterClass.DIGITS));
  /** The generator used when no policy names one: a 32-character password of letters and digits. */
  Generator DEFAULT = new Password(DEFAULT_LENGTH, DEFAULT_CLASSES);

  /** The generator's kind as config and docs spell it: {@code password}, {@code random-bytes}, {@code external}. */
  String kind();

  /** A character class a password may draw from. */
  enum CharacterClass {
    /** {@code a-z}. */
    LOWER("abcdefghijklmnopqrstuvwxyz"),
    /** {@code A-Z}. */
    UPPER("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    /** {@code 0-9}. */
    DIGITS("0123456789"),
    /** Punctuation that needs no quoting in YAML, JSON or a shell's double quotes (no quote, backslash, space). */
    SYMBOLS("!#%&()*+,-./:;<=>?@[]^_{|}~");

    private final String alphabet;

    CharacterClass(String alphabet) {
      this.alphabet = alphabet;
    }

    /** The characters of this class. */
    public String alphabet() {
      return alphabet;
    }

    /** The lower-case word used in config, the API and the docs ({@code lower}, {@code upper}, ...). */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a class word, case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static CharacterClass fromWord(String word) {
      for (CharacterClass c : values()) {
        if (c.name().equalsIgnoreCase(word)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown character class '" + word
          + "' (expected lower, upper, digits or symbols)");
    }
  }

  /**
   * A random password of {@code length} characters holding at least one character of each chosen class.
   *
   * @param length {@value #MIN_PASSWORD_LENGTH} to {@value #MAX_PASSWORD_LENGTH} characters
   * @param classes the classes to draw from, at least one
   */
  record Password(int length, Set<CharacterClass> classes) implements Generator {
    public Password {
      if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
        throw new IllegalArgumentException("length: must be between " + MIN_PASSWORD_LENGTH + " and "
            + MAX_PASSWORD_LENGTH + ", was " + length);
      }
      if (classes == null || classes.isEmpty()) {
        throw new IllegalArgumentException("classes: at least one character class required");
      }
      classes = Set.copyOf(EnumSet.copyOf(classes));
    }

    @Override
    public String kind() {
      return "password";
    }
  }

  /**
   * {@code length} random bytes, base64-encoded (standard alphabet, padded) unless {@code base64} is false.
   *
   * @param length {@value #MIN_RANDOM_BYTES} to {@value #MAX_RANDOM_BYTES} bytes before encoding
   * @param base64 whether the value is the base64 text of the bytes rather than the raw bytes
   */
  record RandomBytes(int length, boolean base64) implements Generator {
    public RandomBytes {
      if (length < MIN_RANDOM_BYTES || length > MAX_RANDOM_BYTES) {
        throw new IllegalArgumentException("length: must be between " + MIN_RANDOM_BYTES + " and "
            + MAX_RANDOM_BYTES + ", was " + length);
      }
    }

    @Override
    public String kind() {
      return "random-bytes";
    }
  }

  /** The operator supplies each new value; the scheduler never rotates such a secret by itself. */
  record External() implements Generator {
    @Override
    public String kind() {
      return "external";
    }
  }
}
