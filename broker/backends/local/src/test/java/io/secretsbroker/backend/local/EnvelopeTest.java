package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final byte[] PLAIN = "correct horse battery staple".getBytes(UTF_8);

  private static MasterKey randomKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return MasterKey.of(raw);
  }

  private final Envelope envelope = new Envelope(randomKey());

  private static byte[] flip(byte[] b) {
    byte[] copy = b.clone();
    copy[0] ^= (byte) 0x80;
    return copy;
  }

  @Test
  void sealThenOpen_returnsThePlaintext() {
    Envelope.Sealed sealed = envelope.seal("m/", "db", 3, PLAIN);

    assertThat(envelope.open("m/", "db", 3, sealed)).isEqualTo(PLAIN);
    assertThat(sealed.keyId()).isEqualTo(envelope.keyId());
    assertThat(sealed.ciphertext()).hasSize(PLAIN.length + 16);
    assertThat(sealed.wrappedKey()).hasSize(32 + 16);
    assertThat(sealed.keyNonce()).hasSize(12);
    assertThat(sealed.valueNonce()).hasSize(12);
  }

  @Test
  void sealingTwice_usesFreshKeysAndNonces() {
    Envelope.Sealed a = envelope.seal("m/", "db", 1, PLAIN);
    Envelope.Sealed b = envelope.seal("m/", "db", 1, PLAIN);

    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    assertThat(a.wrappedKey()).isNotEqualTo(b.wrappedKey());
    assertThat(a.valueNonce()).isNotEqualTo(b.valueNonce());
    assertThat(a.keyNonce()).isNotEqualTo(b.keyNonce());
  }

  @Test
  void emptyValue_roundTrips() {
    assertThat(envelope.open("", "db", 1, envelope.seal("", "db", 1, new byte[0]))).isEmpty();
  }

  @Test
  void openingUnderAnotherMountNameOrVersion_failsAuthentication() {
    Envelope.Sealed sealed = envelope.seal("m/", "db", 3, PLAIN);

    assertThatThrownBy(() -> envelope.open("n/", "db", 3, sealed)).isInstanceOf(Envelope.TamperedException.class);
    assertThatThrownBy(() -> envelope.open("m/", "dc", 3, sealed)).isInstanceOf(Envelope.TamperedException.class);
    assertThatThrownBy(() -> envelope.open("m/", "db", 4, sealed)).isInstanceOf(Envelope.TamperedException.class);
    assertThatThrownBy(() -> envelope.open("m/d", "b", 3, sealed)).isInstanceOf(Envelope.TamperedException.class);
  }

  @Test
  void everyChangedField_failsAuthentication() {
    Envelope.Sealed s = envelope.seal("m/", "db", 3, PLAIN);
    java.util.List<UnaryOperator<Envelope.Sealed>> tampers = java.util.List.of(
        x -> new Envelope.Sealed(x.keyId(), flip(x.keyNonce()), x.wrappedKey(), x.valueNonce(), x.ciphertext()),
        x -> new Envelope.Sealed(x.keyId(), x.keyNonce(), flip(x.wrappedKey()), x.valueNonce(), x.ciphertext()),
        x -> new Envelope.Sealed(x.keyId(), x.keyNonce(), x.wrappedKey(), flip(x.valueNonce()), x.ciphertext()),
        x -> new Envelope.Sealed(x.keyId(), x.keyNonce(), x.wrappedKey(), x.valueNonce(), flip(x.ciphertext())),
        x -> new Envelope.Sealed(x.keyId(), new byte[16], x.wrappedKey(), x.valueNonce(), x.ciphertext()),
        x -> new Envelope.Sealed(x.keyId(), x.keyNonce(), new byte[0], x.valueNonce(), x.ciphertext()),
        x -> new Envelope.Sealed(x.keyId(), x.keyNonce(), x.wrappedKey(), x.valueNonce(), new byte[3]));
    for (UnaryOperator<Envelope.Sealed> tamper : tampers) {
      Envelope.Sealed changed = tamper.apply(s);
      assertThatThrownBy(() -> envelope.open("m/", "db", 3, changed)).isInstanceOf(Envelope.TamperedException.class);
    }
  }

  @Test
  void anotherMasterKey_isReportedAsAWrongKey_notAsGarbage() {
    Envelope.Sealed sealed = envelope.seal("m/", "db", 1, PLAIN);
    Envelope other = new Envelope(randomKey());

    assertThatThrownBy(() -> other.open("m/", "db", 1, sealed))
        .isInstanceOfSatisfying(Envelope.WrongKeyException.class,
            e -> assertThat(e.storedKeyId()).isEqualTo(envelope.keyId()));
  }

  @Test
  void anotherMasterKey_withAForgedKeyId_failsAuthentication() {
    Envelope other = new Envelope(randomKey());
    Envelope.Sealed s = envelope.seal("m/", "db", 1, PLAIN);
    Envelope.Sealed forged = new Envelope.Sealed(other.keyId(), s.keyNonce(), s.wrappedKey(), s.valueNonce(),
        s.ciphertext());

    assertThatThrownBy(() -> other.open("m/", "db", 1, forged)).isInstanceOf(Envelope.TamperedException.class);
  }

  @Test
  void associatedData_isUnambiguous() {
    assertThat(Envelope.aad("l", "m/", "ab", 1)).isNotEqualTo(Envelope.aad("l", "m/a", "b", 1));
    assertThat(Envelope.aad("l", "", "a", 12)).isNotEqualTo(Envelope.aad("l", "", "a", 1));
  }
}
