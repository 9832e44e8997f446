package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MasterKeyTest {
  private static final String KEY = "mounts[0].backend.master-key-file";

  @TempDir Path dir;

  private Path keyFile(String content, String mode) throws Exception {
    Path file = dir.resolve("master.key");
    Files.writeString(file, content, US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private static String base64Key(int bytes) {
    byte[] key = new byte[bytes];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  @Test
  void missingFile_isCreatedOwnerOnly_withOneLineOfBase64() throws Exception {
    Path file = dir.resolve("master.key");

    MasterKey key = MasterKey.loadOrCreate(file, KEY);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file, US_ASCII)).matches("[A-Za-z0-9+/]{43}=\n");
    assertThat(key.id()).matches("[0-9a-f]{16}");
    assertThat(MasterKey.loadOrCreate(file, KEY).id()).as("loaded again, not replaced").isEqualTo(key.id());
  }

  @Test
  void missingFolder_isCreatedOwnerOnly() throws Exception {
    Path file = dir.resolve("data/keys/master.key");

    MasterKey.loadOrCreate(file, KEY);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rw------x"})
  void fileOpenToGroupOrOthers_isRefused_namingTheFileAndMode(String mode) throws Exception {
    Path file = keyFile(base64Key(32) + "\n", mode);
    String octal = String.format("0%03o", Integer.parseInt(
        mode.replaceAll("[rwx]", "1").replace('-', '0'), 2));

    assertThatThrownBy(() -> MasterKey.loadOrCreate(file, KEY))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(KEY + ": " + file)
        .hasMessageContaining("has mode " + octal)
        .hasMessageContaining("group or others may read or change the master key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------", "rwx------"})
  void fileOnlyItsOwnerMayUse_isAccepted(String mode) throws Exception {
    String text = base64Key(32);
    Path file = keyFile(text + "\n", mode);

    MasterKey key = MasterKey.load(file, KEY);

    assertThat(key.id()).isEqualTo(MasterKey.of(Base64.getDecoder().decode(text)).id());
  }

  @Test
  void keyWithoutTrailingLineBreakOrWithCrLf_isAccepted() throws Exception {
    String text = base64Key(32);
    String id = MasterKey.load(keyFile(text, "rw-------"), KEY).id();
    assertThat(MasterKey.load(keyFile(text + "\r\n", "rw-------"), KEY).id()).isEqualTo(id);
  }

  @Test
  void truncatedKey_isRefused() throws Exception {
    Path shortKey = keyFile(base64Key(24) + "\n", "rw-------");
    assertThatThrownBy(() -> MasterKey.load(shortKey, KEY))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(KEY + ": " + shortKey + " holds a 192-bit key, expected 256 bits");

    Path cutText = keyFile(base64Key(32).substring(0, 30) + "\n", "rw-------");
    assertThatThrownBy(() -> MasterKey.load(cutText, KEY))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(KEY + ": " + cutText)
        .hasMessageContaining("openssl rand -base64 32");
  }

  @Test
  void emptyOversizedOrNonBase64File_isRefused() throws Exception {
    assertThatThrownBy(() -> MasterKey.load(keyFile("", "rw-------"), KEY))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> MasterKey.load(keyFile("not base64 at all!!\n", "rw-------"), KEY))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not valid base64");
    assertThatThrownBy(() -> MasterKey.load(keyFile(base64Key(32) + "\n" + base64Key(32) + "\n", "rw-------"), KEY))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid base64");
    assertThatThrownBy(() -> MasterKey.load(keyFile(base64Key(300), "rw-------"), KEY))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bytes long");
  }

  @Test
  void folderInsteadOfFile_isRefused() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("master.key"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(() -> MasterKey.loadOrCreate(folder, KEY))
        .isInstanceOf(ConfigException.class)
        .hasMessage(KEY + ": " + folder + " is not a regular file");
  }

  @Test
  void toString_showsTheIdOnly() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    MasterKey key = MasterKey.of(raw);

    assertThat(key.toString()).isEqualTo("MasterKey[id=" + key.id() + "]")
        .doesNotContain(Base64.getEncoder().encodeToString(raw))
        .doesNotContain(HexFormat.of().formatHex(raw).substring(0, 16));
  }

  @Test
  void keyId_isAFingerprintThatDiffersBetweenKeys() {
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    b[31] = 1;
    assertThat(MasterKey.of(a).id()).isEqualTo(MasterKey.of(a.clone()).id()).isNotEqualTo(MasterKey.of(b).id());
  }
}
