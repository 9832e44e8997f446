package io.secretsbroker.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AzureNamesTest {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";
  private static final Pattern KEY_VAULT_NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "db, db",
      "db-password, db-0password",
      "DbPassword, -db-password",
      "team.a/svc_1/db-pass.word, team-1a--svc-21--db-0pass-1word",
      "a/b, a--b",
      "A, -a",
      "007, 007",
  })
  void encode_examples(String name, String mapped) {
    assertThat(AzureNames.encode(name)).isEqualTo(mapped);
    assertThat(AzureNames.decode(mapped)).contains(name);
  }

  @Test
  void everyNameOfUpToThreeCharacters_mapsToADistinctNameEvenIgnoringCase() {
    Map<String, String> seen = new HashMap<>();
    int n = ALPHABET.length();
    for (int length = 1; length <= 3; length++) {
      int count = (int) Math.pow(n, length);
      char[] chars = new char[length];
      for (int i = 0; i < count; i++) {
        int k = i;
        for (int j = 0; j < length; j++) {
          chars[j] = ALPHABET.charAt(k % n);
          k /= n;
        }
        String name = new String(chars);
        String mapped = AzureNames.encode(name);
        String previous = seen.put(mapped.toLowerCase(Locale.ROOT), name);
        if (previous != null) {
          throw new AssertionError(previous + " and " + name + " both map to " + mapped);
        }
        if (!mapped.equals(mapped.toLowerCase(Locale.ROOT)) || !name.equals(AzureNames.decode(mapped).orElse(null))) {
          throw new AssertionError(name + " maps to " + mapped + ", which does not decode back");
        }
      }
    }
    assertThat(seen).hasSize(n + n * n + n * n * n);
  }

  @Test
  void randomLongNames_roundTrip_andFitKeyVaultsAlphabet() {
    Random random = new Random(42);
    AzureNames names = new AzureNames("");
    for (int i = 0; i < 2_000; i++) {
      String name = randomName(random, 1 + random.nextInt(60));
      String mapped = names.toKeyVault(name);
      assertThat(mapped).matches(KEY_VAULT_NAME);
      assertThat(names.fromKeyVault(mapped)).contains(name);
      assertThat(names.fromKeyVault(mapped.toUpperCase(Locale.ROOT))).as("Key Vault ignores case").contains(name);
    }
  }

  @Test
  void namesDifferingOnlyInCase_mapToNamesThatDifferIgnoringCase() {
    assertThat(AzureNames.encode("Db")).isNotEqualToIgnoringCase(AzureNames.encode("db"));
    assertThat(AzureNames.encode("DB")).isNotEqualToIgnoringCase(AzureNames.encode("dB"));
    assertThat(AzureNames.encode("a-b")).isNotEqualToIgnoringCase(AzureNames.encode("aB"));
  }

  @Test
  void prefixesMapToPrefixes_andOnlyThey() {
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      String a = randomName(random, 1 + random.nextInt(8));
      String b = random.nextBoolean() ? a.substring(0, random.nextInt(a.length() + 1)) : randomName(random, 3);
      assertThat(AzureNames.encode(a).startsWith(AzureNames.encode(b))).as("%s under %s", a, b)
          .isEqualTo(a.startsWith(b));
    }
  }

  @Test
  void namePrefix_isPutInFrontInLowerCase_andStrippedOnTheWayBack() {
    AzureNames names = new AzureNames("Broker-");
    assertThat(names.toKeyVault("Db")).isEqualTo("broker--db");
    assertThat(names.fromKeyVault("BROKER--DB")).contains("Db");
    assertThat(names.fromKeyVault("other--db")).isEmpty();
    assertThat(names.fromKeyVault("broker-")).isEmpty();
    assertThat(names.toKeyVaultPrefix("team/")).isEqualTo("broker-team--");
  }

  @Test
  void mappedNameOf127Characters_isAccepted_128IsInvalidArgumentNamingTheSecret() {
    AzureNames names = new AzureNames("sb-");
    String fits = "a".repeat(124);
    assertThat(names.toKeyVault(fits)).hasSize(127);
    String tooLong = "a".repeat(123) + "/";
    assertThatThrownBy(() -> names.toKeyVault(tooLong))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(tooLong).hasMessageContaining("128").hasMessageContaining("127")
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "a:b", "ä", "a\u0000b", "a+b"})
  void charactersOutsideTheBrokersSet_areInvalidArgument(String name) {
    assertThatThrownBy(() -> new AzureNames("").toKeyVault(name))
        .isInstanceOf(BackendException.class)
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-", "a-", "-3", "-9x", "a_b", "a.b", "--x-"})
  void decode_rejectsWhatEncodeNeverWrites(String mapped) {
    assertThat(AzureNames.decode(mapped)).isEmpty();
  }

  @Test
  void namePrefix_outsideKeyVaultsAlphabet_isRejected() {
    assertThatThrownBy(() -> new AzureNames("sb_")).isInstanceOf(IllegalArgumentException.class);
  }

  private static String randomName(Random random, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
