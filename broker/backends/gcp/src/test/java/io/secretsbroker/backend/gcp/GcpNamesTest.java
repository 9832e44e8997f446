package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the name ↔ secret id mapping: reversible, injective, and keeping prefixes and order. */
class GcpNamesTest {
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> anyChars = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMinLength(1)
        .ofMaxLength(60);
    Arbitrary<String> escapeHeavy = Arbitraries.strings().withChars("-./_ds".toCharArray()).ofMinLength(1)
        .ofMaxLength(12);
    return Arbitraries.oneOf(anyChars, escapeHeavy);
  }

  @Provide
  Arbitrary<Character> alphabet() {
    return Arbitraries.chars().with(ALPHABET.toCharArray());
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abds_-09AZ".toCharArray()).ofMinLength(1).ofMaxLength(30);
  }

  @Provide
  Arbitrary<String> idPrefixes() {
    return Arbitraries.strings().withChars("abds09AZ-".toCharArray()).ofMinLength(1).ofMaxLength(6)
        .filter(p -> p.charAt(0) != '-');
  }

  @Property
  void decode_invertsEncode(@ForAll("names") String name) {
    assertThat(GcpNames.decode(GcpNames.encode(name))).isEqualTo(name);
  }

  @Property
  void ids_useOnlyCharactersGcpAllows(@ForAll("names") String name) {
    assertThat(GcpNames.encode(name)).matches("[A-Za-z0-9_-]+");
  }

  @Property
  void distinctNames_haveDistinctIds(@ForAll("names") String a, @ForAll("names") String b) {
    Assume.that(!a.equals(b));
    assertThat(GcpNames.encode(a)).isNotEqualTo(GcpNames.encode(b));
  }

  @Property
  void namesOneCharacterApart_haveDistinctIds(@ForAll("names") String name,
      @ForAll("alphabet") char replacement) {
    String other = name.substring(0, name.length() - 1) + replacement;
    Assume.that(!other.equals(name));
    assertThat(GcpNames.encode(other)).isNotEqualTo(GcpNames.encode(name));
  }

  @Property
  void order_isKept(@ForAll("names") String a, @ForAll("names") String b) {
    assertThat(Integer.signum(GcpNames.encode(a).compareTo(GcpNames.encode(b))))
        .isEqualTo(Integer.signum(a.compareTo(b)));
  }

  @Property
  void prefixes_areKept(@ForAll("names") String name, @ForAll("names") String prefix) {
    assertThat(GcpNames.encode(name).startsWith(GcpNames.encode(prefix))).isEqualTo(name.startsWith(prefix));
    String head = name.substring(0, name.length() / 2);
    assertThat(GcpNames.encode(name)).startsWith(GcpNames.encode(head));
  }

  @Property
  void everyDecodableId_isTheIdOfExactlyThatName(@ForAll("ids") String id) {
    String name = GcpNames.decode(id);
    if (name != null) {
      assertThat(GcpNames.encode(name)).isEqualTo(id);
    }
  }

  @Property
  void withIdPrefix_toNameInvertsToId(@ForAll("idPrefixes") String idPrefix, @ForAll("names") String name) {
    GcpNames names = new GcpNames(idPrefix);
    Assume.that(idPrefix.length() + 1 + GcpNames.encode(name).length() <= GcpNames.MAX_ID_LENGTH);
    assertThat(names.toName(names.toId(name))).contains(name);
  }

  @Property
  void mountsWithDifferentIdPrefixes_neverShareAnId(@ForAll("idPrefixes") String p1, @ForAll("names") String n1,
      @ForAll("idPrefixes") String p2, @ForAll("names") String n2) {
    Assume.that(!p1.equals(p2));
    assertThat(new GcpNames(p1).toId(n1)).isNotEqualTo(new GcpNames(p2).toId(n2));
    assertThat(new GcpNames(p2).toName(new GcpNames(p1).toId(n1))).isEmpty();
  }

  @Example
  void everyNameUpToThreeCharacters_hasItsOwnId_inTheSameOrder() {
    String chars = "-./09AZ_adsz";
    List<String> all = new ArrayList<>();
    for (char a : chars.toCharArray()) {
      all.add("" + a);
      for (char b : chars.toCharArray()) {
        all.add("" + a + b);
        for (char c : chars.toCharArray()) {
          all.add("" + a + b + c);
        }
      }
    }
    Map<String, String> seen = new HashMap<>();
    for (String name : all) {
      String previous = seen.put(GcpNames.encode(name), name);
      assertThat(previous).as("name sharing the id of %s", name).isNull();
    }
    List<String> byName = all.stream().sorted().toList();
    List<String> byId = all.stream().sorted((x, y) -> GcpNames.encode(x).compareTo(GcpNames.encode(y))).toList();
    assertThat(byId).isEqualTo(byName);
  }

  @Example
  void documentedExamples() {
    GcpNames plain = new GcpNames("");
    assertThat(plain.toId("db-password")).isEqualTo("db--password");
    assertThat(plain.toId("team/db")).isEqualTo("team-sdb");
    assertThat(plain.toId("team.a/svc_1/db-pass.word")).isEqualTo("team-da-ssvc_1-sdb--pass-dword");
    assertThat(new GcpNames("payments").toId("team/db")).isEqualTo("payments_team-sdb");
  }

  @Example
  void idLongerThan255_isInvalidArgument() {
    GcpNames plain = new GcpNames("");
    assertThat(plain.toId("a".repeat(255))).hasSize(255);
    assertThat(codeOf(() -> plain.toId("a".repeat(256)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> plain.toId("a".repeat(254) + "/"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> new GcpNames("pfx").toId("a".repeat(252)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> plain.toId("-".repeat(128))).hasMessageContaining("256 characters");
  }

  @Example
  void charactersOutsideTheAlphabet_areInvalidArgument() {
    GcpNames plain = new GcpNames("");
    for (String bad : List.of("a b", "pässwort", "a:b", "", "a\u0000")) {
      assertThat(codeOf(() -> plain.toId(bad))).as(bad).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Example
  void idsThisMappingDoesNotProduce_haveNoName() {
    GcpNames plain = new GcpNames("");
    assertThat(plain.toName("a-x")).isEmpty();
    assertThat(plain.toName("a-")).isEmpty();
    GcpNames prefixed = new GcpNames("pay");
    assertThat(prefixed.toName("pay_")).isEmpty();
    assertThat(prefixed.toName("payx")).isEmpty();
    assertThat(prefixed.toName("ops_db")).isEmpty();
    assertThat(prefixed.toName("pay_db-sx")).contains("db/x");
  }

  @Example
  void idPrefixOf_aNamePrefixWithForeignCharacters_isEmpty() {
    assertThat(new GcpNames("").idPrefixOf("a b")).isEmpty();
    assertThat(new GcpNames("pay").idPrefixOf("")).contains("pay_");
    assertThat(new GcpNames("").idPrefixOf("team/")).contains("team-s");
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (BackendException e) {
      return e.code();
    }
    throw new AssertionError("expected a BackendException");
  }
}
