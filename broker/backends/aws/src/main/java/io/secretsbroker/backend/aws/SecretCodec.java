package io.secretsbroker.backend.aws;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Chooses how a value is stored in AWS: as {@code SecretString} when its bytes are well-formed UTF-8 (so tools
 * reading the secret directly from AWS see text), otherwise as {@code SecretBinary}. Reading accepts either field,
 * whoever wrote it, and returns the exact bytes written.
 */
final class SecretCodec {
  private SecretCodec() {}

  /** The value as text when its bytes are well-formed UTF-8 (decoding then re-encoding gives the same bytes). */
  static Optional<String> asText(byte[] value) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** The bytes of a value read from AWS, or null when the version has neither field. */
  static byte[] bytes(String secretString, SdkBytes secretBinary) {
    if (secretString != null) {
      return secretString.getBytes(StandardCharsets.UTF_8);
    }
    return secretBinary == null ? null : secretBinary.asByteArray();
  }
}
