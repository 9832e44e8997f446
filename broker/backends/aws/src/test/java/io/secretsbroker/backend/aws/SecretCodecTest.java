package io.secretsbroker.backend.aws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

class SecretCodecTest {

  @Test
  void wellFormedUtf8_isText() {
    assertThat(SecretCodec.asText("pässwörd-ключ-密码-🔑".getBytes(UTF_8))).contains("pässwörd-ключ-密码-🔑");
    assertThat(SecretCodec.asText(new byte[] {0, 'a'})).contains("\0a");
  }

  @Test
  void malformedUtf8_isNotText() {
    assertThat(SecretCodec.asText(new byte[] {(byte) 0xff})).isEmpty();
    assertThat(SecretCodec.asText(new byte[] {(byte) 0xc3})).as("truncated sequence").isEmpty();
    assertThat(SecretCodec.asText(new byte[] {(byte) 0xc0, (byte) 0x80})).as("overlong NUL").isEmpty();
    assertThat(SecretCodec.asText(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).as("surrogate").isEmpty();
  }

  @Test
  void reading_takesEitherField() {
    assertThat(SecretCodec.bytes("ä", null)).isEqualTo("ä".getBytes(UTF_8));
    assertThat(SecretCodec.bytes(null, SdkBytes.fromByteArray(new byte[] {(byte) 0xff}))).containsExactly(0xff);
    assertThat(SecretCodec.bytes(null, null)).isNull();
  }
}
