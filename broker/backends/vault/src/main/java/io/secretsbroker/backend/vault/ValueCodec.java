package io.secretsbroker.backend.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsbroker.spi.Stage;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns secret bytes into the JSON object a KV version holds, and back.
 *
 * <p>Valid UTF-8 is stored as {@code {"value": "<text>"}} so operators can read it with {@code vault kv get};
 * anything else as {@code {"value_base64": "<base64>"}}. A version written as pending also carries
 * {@code "sb-stage": "pending"}, the write's intent, which lets any reader rebuild the stages from the version
 * history. Data written by other tools reads as its {@code value} text when it has one, otherwise as the compact
 * JSON of the whole object, and counts as a plain put.
 */
final class ValueCodec {
  static final String VALUE = "value";
  static final String VALUE_BASE64 = "value_base64";
  static final String INTENT = "sb-stage";
  static final String PENDING = "pending";

  private ValueCodec() {}

  /** A KV version's content: the value and the stage the write asked for. */
  record Decoded(byte[] value, Stage intent) {}

  /** The {@code data} object for {@code value} written with {@code stage}. */
  static ObjectNode encode(ObjectMapper json, byte[] value, Stage stage) {
    ObjectNode data = json.createObjectNode();
    String text = utf8(value);
    if (text != null) {
      data.put(VALUE, text);
    } else {
      data.put(VALUE_BASE64, Base64.getEncoder().encodeToString(value));
    }
    if (stage == Stage.PENDING) {
      data.put(INTENT, PENDING);
    }
    return data;
  }

  /**
   * Reads a KV version's {@code data} object.
   *
   * @throws IllegalArgumentException when {@code value_base64} is not base64
   */
  static Decoded decode(ObjectMapper json, JsonNode data) {
    Stage intent = data.path(INTENT).asText("").equals(PENDING) ? Stage.PENDING : Stage.CURRENT;
    JsonNode b64 = data.get(VALUE_BASE64);
    if (b64 != null && b64.isTextual()) {
      return new Decoded(Base64.getDecoder().decode(b64.asText()), intent);
    }
    JsonNode text = data.get(VALUE);
    if (text != null && text.isTextual()) {
      return new Decoded(text.asText().getBytes(StandardCharsets.UTF_8), intent);
    }
    try {
      return new Decoded(json.writeValueAsBytes(data), intent);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise KV data", e);
    }
  }

  /** The text of {@code bytes} when they are valid UTF-8, else null. */
  static String utf8(byte[] bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
