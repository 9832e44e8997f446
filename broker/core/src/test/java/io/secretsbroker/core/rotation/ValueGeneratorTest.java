package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.rotation.Generator.CharacterClass;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValueGeneratorTest {
  private final ValueGenerator generator = new ValueGenerator(new SecureRandom());

  @Test
  void password_hasTheLength_andAtLeastOneCharacterOfEachChosenClass_andNoOther() {
    Set<CharacterClass> classes = EnumSet.allOf(CharacterClass.class);
    Generator.Password p = new Generator.Password(8, classes);
    for (int i = 0; i < 500; i++) {
      String value = new String(generator.generate(p), US_ASCII);
      assertThat(value).hasSize(8);
      for (CharacterClass c : classes) {
        assertThat(value.chars().anyMatch(ch -> c.alphabet().indexOf(ch) >= 0)).as(c + " in a password").isTrue();
      }
    }
  }

  @Test
  void password_drawsOnlyFromTheChosenClasses() {
    Generator.Password p = new Generator.Password(64, EnumSet.of(CharacterClass.DIGITS, CharacterClass.UPPER));
    for (int i = 0; i < 50; i++) {
      assertThat(new String(generator.generate(p), US_ASCII)).matches("[0-9A-Z]{64}");
    }
  }

  @Test
  void symbols_needNoQuoting() {
    assertThat(CharacterClass.SYMBOLS.alphabet()).doesNotContain("\"", "'", "\\", "`", " ", "$");
  }

  @Test
  void randomBytes_areBase64OfTheLength_orRaw() {
    byte[] encoded = generator.generate(new Generator.RandomBytes(48, true));
    assertThat(Base64.getDecoder().decode(encoded)).hasSize(48);
    assertThat(generator.generate(new Generator.RandomBytes(48, false))).hasSize(48);
  }

  @Test
  void values_differ() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(new String(generator.generate(Generator.DEFAULT), US_ASCII));
    }
    assertThat(seen).hasSize(100);
  }

  @Test
  void external_makesNoValue() {
    assertThatThrownBy(() -> generator.generate(new Generator.External()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("external");
  }

  @Test
  void generators_refuseLengthsOutOfRange_namingTheField() {
    assertThatThrownBy(() -> new Generator.Password(7, Generator.DEFAULT_CLASSES))
        .hasMessage("length: must be between 8 and 1024, was 7");
    assertThatThrownBy(() -> new Generator.Password(12, Set.of())).hasMessageStartingWith("classes:");
    assertThatThrownBy(() -> new Generator.RandomBytes(4097, true))
        .hasMessage("length: must be between 8 and 4096, was 4097");
    assertThatThrownBy(() -> CharacterClass.fromWord("emoji"))
        .hasMessageContaining("expected lower, upper, digits or symbols");
  }
}
