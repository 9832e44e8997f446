package io.secretsbroker.core.rotation;

import io.secretsbroker.core.rotation.Generator.CharacterClass;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Makes new secret values from a {@link Generator} with a {@link SecureRandom}. Values exist only in the returned
 * arrays: they are never logged, kept or put in an exception. Thread-safe.
 */
final class ValueGenerator {
  private final SecureRandom random;

  ValueGenerator(SecureRandom random) {
    this.random = random;
  }

  /**
   * A new value.
   *
   * @throws IllegalArgumentException for the external generator, which makes no values
   */
  byte[] generate(Generator generator) {
    if (generator instanceof Generator.Password p) {
      return password(p);
    }
    if (generator instanceof Generator.RandomBytes b) {
      return randomBytes(b);
    }
    throw new IllegalArgumentException("the " + generator.kind() + " generator makes no values");
  }

  private byte[] password(Generator.Password p) {
    List<CharacterClass> classes = p.classes().stream().sorted().toList();
    StringBuilder all = new StringBuilder();
    classes.forEach(c -> all.append(c.alphabet()));
    char[] chars = new char[p.length()];
    int i = 0;
    for (CharacterClass c : classes) {
      chars[i++] = pick(c.alphabet());
    }
    String union = all.toString();
    while (i < chars.length) {
      chars[i++] = pick(union);
    }
    for (int j = chars.length - 1; j > 0; j--) {
      int k = random.nextInt(j + 1);
      char t = chars[j];
      chars[j] = chars[k];
      chars[k] = t;
    }
    byte[] out = new byte[chars.length];
    for (int j = 0; j < chars.length; j++) {
      out[j] = (byte) chars[j];
    }
    Arrays.fill(chars, '\0');
    return out;
  }

  private char pick(String alphabet) {
    return alphabet.charAt(random.nextInt(alphabet.length()));
  }

  private byte[] randomBytes(Generator.RandomBytes b) {
    byte[] raw = new byte[b.length()];
    random.nextBytes(raw);
    if (!b.base64()) {
      return raw;
    }
    byte[] encoded = Base64.getEncoder().encode(raw);
    Arrays.fill(raw, (byte) 0);
    return encoded;
  }
}
