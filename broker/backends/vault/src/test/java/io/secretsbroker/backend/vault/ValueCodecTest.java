package io.secretsbroker.backend.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsbroker.spi.Stage;
import org.junit.jupiter.api.Test;

class ValueCodecTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void utf8Text_isStoredReadably() {
    JsonNode data = ValueCodec.encode(json, "pässwörd-🔑".getBytes(UTF_8), Stage.CURRENT);
    assertThat(data.toString()).isEqualTo("{\"value\":\"pässwörd-🔑\"}");
  }

  @Test
  void binary_isStoredAsBase64() {
    JsonNode data = ValueCodec.encode(json, new byte[] {0, (byte) 0xff, (byte) 0xc3}, Stage.CURRENT);
    assertThat(data.toString()).isEqualTo("{\"value_base64\":\"AP/D\"}");
  }

  @Test
  void pendingWrite_carriesItsIntent() {
    JsonNode data = ValueCodec.encode(json, "x".getBytes(UTF_8), Stage.PENDING);
    assertThat(data.toString()).isEqualTo("{\"value\":\"x\",\"sb-stage\":\"pending\"}");
  }

  @Test
  void bothEncodings_roundTrip_withTheirIntent() {
    for (byte[] value : new byte[][] {"text\u0000with nul".getBytes(UTF_8), {(byte) 0x80, 1, 2}, {}}) {
      for (Stage stage : new Stage[] {Stage.CURRENT, Stage.PENDING}) {
        ValueCodec.Decoded decoded = ValueCodec.decode(json, ValueCodec.encode(json, value, stage));
        assertThat(decoded.value()).isEqualTo(value);
        assertThat(decoded.intent()).isEqualTo(stage);
      }
    }
  }

  @Test
  void dataWrittenByOtherTools_readsAsValueOrWholeJson_andCountsAsPut() throws Exception {
    ValueCodec.Decoded withValue = ValueCodec.decode(json, json.readTree("{\"value\":\"v\",\"note\":\"n\"}"));
    assertThat(new String(withValue.value(), UTF_8)).isEqualTo("v");
    ValueCodec.Decoded other = ValueCodec.decode(json, json.readTree("{\"username\":\"u\",\"password\":\"p\"}"));
    assertThat(new String(other.value(), UTF_8)).isEqualTo("{\"username\":\"u\",\"password\":\"p\"}");
    assertThat(other.intent()).isEqualTo(Stage.CURRENT);
  }

  @Test
  void badBase64_isRejected() throws Exception {
    assertThatThrownBy(() -> ValueCodec.decode(json, json.readTree("{\"value_base64\":\"!!\"}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void utf8Check_rejectsMalformedAndOverlongSequences() {
    assertThat(ValueCodec.utf8("ok".getBytes(UTF_8))).isEqualTo("ok");
    assertThat(ValueCodec.utf8(new byte[] {(byte) 0xc0, (byte) 0xaf})).isNull();
    assertThat(ValueCodec.utf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).isNull();
  }
}
