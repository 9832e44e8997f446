package io.secretsbroker.backend.azure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoredValueTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "hunter2", "pässwörd-ключ-密码-🔑", "line1\nline2\r\n\ttab", "nul\u0000inside"})
  void wellFormedUtf8_isStoredAsTheTextItself(String text) {
    StoredValue stored = StoredValue.of(text.getBytes(UTF_8));

    assertThat(stored.contentType()).isEqualTo(StoredValue.TEXT);
    assertThat(stored.text()).isEqualTo(text);
    assertThat(stored.storedBytes()).isEqualTo(text.getBytes(UTF_8).length);
    assertThat(StoredValue.bytesOf("n", stored.text(), stored.contentType())).isEqualTo(text.getBytes(UTF_8));
  }

  @Test
  void bytesThatAreNotUtf8_areStoredAsBase64_andRoundTrip() {
    byte[][] samples = {
        {(byte) 0xff},
        {(byte) 0xc0, (byte) 0xaf},              // overlong encoding of '/'
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate
        {'a', (byte) 0xe2, (byte) 0x82},         // truncated sequence
    };
    for (byte[] bytes : samples) {
      StoredValue stored = StoredValue.of(bytes);
      assertThat(stored.contentType()).isEqualTo(StoredValue.BASE64);
      assertThat(StoredValue.bytesOf("n", stored.text(), stored.contentType())).isEqualTo(bytes);
    }
  }

  @Test
  void randomBinary_roundTrips_andItsStoredSizeIsTheBase64Length() {
    byte[] bytes = new byte[19_200];
    new SecureRandom().nextBytes(bytes);
    bytes[0] = (byte) 0xff;
    StoredValue stored = StoredValue.of(bytes);
    assertThat(stored.storedBytes()).isEqualTo(25_600);
    assertThat(StoredValue.bytesOf("n", stored.text(), stored.contentType())).isEqualTo(bytes);
  }

  @Test
  void valuesWrittenByOtherClients_readAsTheirUtf8Bytes() {
    assertThat(StoredValue.bytesOf("n", "plain", null)).isEqualTo("plain".getBytes(UTF_8));
    assertThat(StoredValue.bytesOf("n", "{\"a\":1}", "application/json")).isEqualTo("{\"a\":1}".getBytes(UTF_8));
  }

  @Test
  void base64ContentType_isRecognisedWhateverItsSpacingAndCase() {
    assertThat(StoredValue.bytesOf("n", "AP8=", "Application/Octet-Stream;Encoding=Base64"))
        .containsExactly(0, 0xff);
  }

  @Test
  void brokenBase64_isInternal_andTheMessageHoldsNoValue() {
    assertThatThrownBy(() -> StoredValue.bytesOf("team/db", "not*base64-secret", StoredValue.BASE64))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("team/db").hasMessageNotContaining("secret-")
        .extracting(e -> ((BackendException) e).code()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void toString_neverShowsTheValue() {
    assertThat(StoredValue.of("hunter2".getBytes(UTF_8)).toString()).doesNotContain("hunter2");
  }
}
