package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of one version's value: a fresh random 256-bit data key encrypts the value with
 * AES-256-GCM, and the master key wraps the data key with AES-256-GCM.
 *
 * <p>Both encryptions carry associated data naming the mount, the secret and the version, each under its own
 * label, so a stored row moved to another secret or version, or a wrapped key moved to another row, fails
 * authentication. Nonces are 96 bits from {@link SecureRandom}; each data key encrypts exactly one value.
 *
 * <p>Thread-safe.
 */
final class Envelope {
  /** Nonce length in bytes (96 bits, as GCM recommends). */
  static final int NONCE_BYTES = 12;
  /** Data key length in bytes. */
  static final int DATA_KEY_BYTES = 32;

  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final String LABEL_DATA_KEY = "secrets-broker/local/data-key/v1";
  private static final String LABEL_VALUE = "secrets-broker/local/value/v1";

  private final MasterKey masterKey;
  private final SecureRandom random = new SecureRandom();

  Envelope(MasterKey masterKey) {
    this.masterKey = masterKey;
  }

  /** The id of the master key this envelope seals with. */
  String keyId() {
    return masterKey.id();
  }

  /**
   * Encrypts {@code plaintext} as version {@code version} of {@code name} on {@code mount}. The caller keeps
   * ownership of {@code plaintext} (and should clear it).
   */
  Sealed seal(String mount, String name, long version, byte[] plaintext) {
    byte[] dataKey = new byte[DATA_KEY_BYTES];
    try {
      random.nextBytes(dataKey);
      byte[] keyNonce = nonce();
      byte[] wrappedKey = crypt(Cipher.ENCRYPT_MODE, masterKey.key(), keyNonce,
          aad(LABEL_DATA_KEY, mount, name, version), dataKey);
      byte[] valueNonce = nonce();
      byte[] ciphertext = crypt(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), valueNonce,
          aad(LABEL_VALUE, mount, name, version), plaintext);
      return new Sealed(masterKey.id(), keyNonce, wrappedKey, valueNonce, ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Decrypts what {@link #seal} made for the same mount, name and version.
   *
   * @return the plaintext, owned by the caller
   * @throws WrongKeyException when {@code sealed} was made under another master key
   * @throws TamperedException when anything stored fails authentication
   */
  byte[] open(String mount, String name, long version, Sealed sealed) {
    if (!masterKey.id().equals(sealed.keyId())) {
      throw new WrongKeyException(sealed.keyId());
    }
    if (sealed.wrappedKey().length != DATA_KEY_BYTES + TAG_BITS / 8 || sealed.ciphertext().length < TAG_BITS / 8) {
      throw new TamperedException();
    }
    byte[] dataKey = null;
    try {
      dataKey = crypt(Cipher.DECRYPT_MODE, masterKey.key(), sealed.keyNonce(),
          aad(LABEL_DATA_KEY, mount, name, version), sealed.wrappedKey());
      return crypt(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), sealed.valueNonce(),
          aad(LABEL_VALUE, mount, name, version), sealed.ciphertext());
    } catch (GeneralSecurityException | IllegalArgumentException | ProviderException e) {
      // A failed tag (AEADBadTagException), or lengths this code never writes.
      throw new TamperedException();
    } finally {
      if (dataKey != null) {
        Arrays.fill(dataKey, (byte) 0);
      }
    }
  }

  private byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return nonce;
  }

  private static byte[] crypt(int mode, Key key, byte[] nonce, byte[] aad, byte[] input)
      throws GeneralSecurityException {
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("nonce length");
    }
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(input);
  }

  /** The associated data: a label, then the mount, the name (length-prefixed UTF-8) and the version. */
  static byte[] aad(String label, String mount, String name, long version) {
    byte[] l = label.getBytes(UTF_8);
    byte[] m = mount.getBytes(UTF_8);
    byte[] n = name.getBytes(UTF_8);
    return ByteBuffer.allocate(12 + l.length + m.length + n.length + 8)
        .putInt(l.length).put(l)
        .putInt(m.length).put(m)
        .putInt(n.length).put(n)
        .putLong(version)
        .array();
  }

  /**
   * What is stored for one version besides its name, number and time.
   *
   * @param keyId the id of the master key that wrapped the data key
   * @param keyNonce the nonce of the data key's wrapping
   * @param wrappedKey the data key encrypted under the master key, with its tag
   * @param valueNonce the nonce of the value's encryption
   * @param ciphertext the value encrypted under the data key, with its tag
   */
  record Sealed(String keyId, byte[] keyNonce, byte[] wrappedKey, byte[] valueNonce, byte[] ciphertext) {}

  /** The stored value was sealed under another master key. */
  static final class WrongKeyException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String storedKeyId;

    WrongKeyException(String storedKeyId) {
      super(null, null, false, false);
      this.storedKeyId = storedKeyId;
    }

    /** The key id stored with the value. */
    String storedKeyId() {
      return storedKeyId;
    }
  }

  /** The stored value, nonce, wrapped key or binding failed authentication. */
  static final class TamperedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TamperedException() {
      super(null, null, false, false);
    }
  }
}
