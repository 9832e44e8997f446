package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditKeyTest {
  @TempDir
  Path dir;

  private Path keyFile(String content, String perms) throws IOException {
    Path f = dir.resolve("audit.key");
    Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    return f;
  }

  private static String macOf(AuditKey key) {
    return HexFormat.of().formatHex(
        JournalFormat.recordMac(key.newMac(), key.genesis("r1"), 1, Journals.entry(1)));
  }

  @Test
  void loadOrCreate_missingFile_createsAnOwnerOnlyKeyAndLoadsTheSameKeyAgain() throws IOException {
    Path file = dir.resolve("keys").resolve("audit.key");

    AuditKey created = AuditKey.loadOrCreate(file);
    AuditKey again = AuditKey.loadOrCreate(file);

    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");
    assertThat(Files.exists(dir.resolve("keys").resolve("audit.key.tmp"))).isFalse();
    assertThat(macOf(again)).isEqualTo(macOf(created));
    assertThat(again.genesis("r1")).isEqualTo(created.genesis("r1"));
    assertThat(macOf(AuditKey.load(file))).isEqualTo(macOf(created));
    assertThat(macOf(AuditKey.loadOrCreate(dir.resolve("other.key")))).isNotEqualTo(macOf(created));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "rw----r--", "rw-rw-rw-", "r---w----", "rw-----w-"})
  void load_fileAccessibleByGroupOrOthers_isRefusedAsking0600(String perms) throws IOException {
    Path f = keyFile("ab".repeat(32) + "\n", perms);

    assertThatThrownBy(() -> AuditKey.load(f)).isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("group or others")
        .hasMessageEndingWith("make it 0600");
    assertThatThrownBy(() -> AuditKey.loadOrCreate(f)).hasMessageEndingWith("make it 0600");
  }

  @Test
  void load_fileThatIsNotHex_isRefused() throws IOException {
    Path f = keyFile("not a key at all\n", "rw-------");

    assertThatThrownBy(() -> AuditKey.load(f)).isInstanceOf(IOException.class)
        .hasMessage("audit key file " + f + " does not hold a hex key");
  }

  @Test
  void load_hexOfTheWrongLength_isRefused() throws IOException {
    Path f = keyFile("ab".repeat(16) + "\n", "rw-------");

    assertThatThrownBy(() -> AuditKey.load(f)).isInstanceOf(IOException.class)
        .hasMessage("audit key file " + f + " holds 16 bytes, expected 32");
  }

  @Test
  void of_wrongLength_isRefused() {
    assertThatThrownBy(() -> AuditKey.of(new byte[31])).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an audit key is 32 bytes, got 31");
  }

  @Test
  void toString_neverShowsTheKey() throws IOException {
    Path file = dir.resolve("audit.key");
    AuditKey key = AuditKey.loadOrCreate(file);
    String hex = Files.readString(file).trim();

    assertThat(key).hasToString("AuditKey[REDACTED]");
    assertThat(key.toString()).doesNotContain(hex.substring(0, 8)).doesNotContain(hex.substring(56));
  }

  @Test
  void checkpoint_signedWithOneKey_verifiesOnlyWithThatKey() {
    byte[] recordMac = new byte[AuditKey.BYTES];
    Checkpoint cp = Checkpoint.sign(Journals.KEY, "r1", 7, recordMac, Journals.T0);

    assertThat(cp.verify(Journals.KEY)).isTrue();
    assertThat(cp.verify(Journals.OTHER_KEY)).isFalse();
    assertThat(new Checkpoint("r1", 8, cp.mac(), cp.time(), cp.checkpointMac()).verify(Journals.KEY)).isFalse();
    assertThat(new Checkpoint("r2", 7, cp.mac(), cp.time(), cp.checkpointMac()).verify(Journals.KEY)).isFalse();
  }
}
