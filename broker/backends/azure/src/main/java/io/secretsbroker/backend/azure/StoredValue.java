package io.secretsbroker.backend.azure;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Base64;
import java.util.Locale;

/**
 * A value in the form Key Vault stores it: a string plus the secret version's {@code contentType}.
 *
 * <p>Key Vault values are strings. A value that is well-formed UTF-8 is stored as that text with content type
 * {@value #TEXT}, so other Key Vault clients read it as it is; any other value is stored as standard base64 with
 * content type {@value #BASE64}. Reading reverses this: base64 when the content type says so, otherwise the
 * string's UTF-8 bytes. Key Vault's 25 KB limit applies to the stored string, so a binary value can be at most
 * 19,200 bytes (its base64 form is 4/3 as long), a text value 25,600.
 *
 * <p>{@link #toString()} never shows the text.
 *
 * @param text the string to store (the secret itself or its base64 form)
 * @param contentType {@value #TEXT} or {@value #BASE64}
 */
record StoredValue(String text, String contentType) {
  /** The content type of values stored as text. */
  static final String TEXT = "text/plain; charset=utf-8";
  /** The content type of values stored as base64. */
  static final String BASE64 = "application/octet-stream; encoding=base64";

  /** The stored form of {@code bytes}. */
  static StoredValue of(byte[] bytes) {
    try {
      String text = UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return new StoredValue(text, TEXT);
    } catch (CharacterCodingException e) {
      return new StoredValue(Base64.getEncoder().encodeToString(bytes), BASE64);
    }
  }

  /**
   * The bytes a stored value stands for.
   *
   * @param name the broker name, for the error message
   * @throws BackendException {@code INTERNAL} when a value marked base64 does not decode
   */
  static byte[] bytesOf(String name, String text, String contentType) {
    if (text == null) {
      throw new BackendException(ErrorCode.INTERNAL, "Key Vault returned no value for secret '" + name + "'");
    }
    if (contentType != null && normalize(contentType).equals(normalize(BASE64))) {
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw new BackendException(ErrorCode.INTERNAL,
            "secret '" + name + "' is marked base64 in Key Vault but does not decode as base64");
      }
    }
    return text.getBytes(UTF_8);
  }

  /** The size Key Vault counts against its limit: the stored string's UTF-8 bytes. */
  int storedBytes() {
    return contentType.equals(BASE64) ? text.length() : text.getBytes(UTF_8).length;
  }

  @Override
  public String toString() {
    return "StoredValue[text=[REDACTED], contentType=" + contentType + "]";
  }

  private static String normalize(String contentType) {
    return contentType.replace(" ", "").toLowerCase(Locale.ROOT);
  }
}
