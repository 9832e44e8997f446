package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the local backend promises beyond the contract, run on every database it supports: the encryption
 * (no plaintext stored, every stored column authenticated, a wrong key named as such), restarts, pruning,
 * listing order and escaping, and the isolation of mounts sharing one database.
 *
 * <p>Subclasses say which database. Each test works under its own mount and its own master key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class LocalBackendStorageCases {
  @TempDir Path dataDir;
  protected String mount;
  protected final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:15:30.123456789Z"));

  /** The database under test, shared by the class. */
  protected abstract TestDatabase database();

  @BeforeEach
  void pickMount() {
    mount = "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "/";
  }

  protected SecretBackend backend() {
    return backend(Map.of());
  }

  protected SecretBackend backend(Map<String, ?> settings) {
    return Backends.create(mount, dataDir, database().dataSource(), clock, settings);
  }

  protected static SecretValue value(String s) {
    return SecretValue.of(s.getBytes(UTF_8));
  }

  protected static String text(SecretBackend backend, SecretRef ref) {
    return new String(backend.read(ref).value().bytes(), UTF_8);
  }

  protected static BackendException failure(Callable<?> call) {
    try {
      call.call();
    } catch (BackendException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a BackendException, got " + e, e);
    }
    throw new AssertionError("expected a BackendException, got success");
  }

  // ---- encryption at rest ---------------------------------------------------------------------------

  @Test
  void storedRows_neverHoldThePlaintextNorTheMasterKey() throws Exception {
    String marker = "PLAINTEXT-MARKER-" + UUID.randomUUID();
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value(marker)));
      backend.write(WriteRequest.pending("db", value(marker + "-pending")));
    }
    byte[] rows = rowBytes();
    byte[] keyFile = Files.readAllBytes(dataDir.resolve("master.key"));
    byte[] key = Base64.getDecoder().decode(new String(keyFile, UTF_8).trim());

    assertThat(indexOf(rows, "db".getBytes(UTF_8))).as("the scan sees the rows").isNotNegative();
    assertThat(indexOf(rows, marker.getBytes(UTF_8))).isNegative();
    assertThat(indexOf(rows, key)).isNegative();
    assertThat(indexOf(rows, new String(keyFile, UTF_8).trim().getBytes(UTF_8))).isNegative();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ciphertext", "value_nonce", "wrapped_key", "key_nonce"})
  void tamperedColumn_failsAuthentication_withASafeMessage(String column) throws Exception {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("hunter2")));
      byte[] stored = column("db", 1, column);
      stored[stored.length - 1] ^= 0x01;
      setColumn("db", 1, column, stored);

      BackendException e = failure(() -> backend.read(SecretRef.current("db")));

      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(e.getMessage()).isEqualTo("stored value of 'db' version 1 failed authentication")
          .doesNotContain("hunter2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ciphertext", "value_nonce", "wrapped_key", "key_nonce"})
  void truncatedColumn_failsAuthentication(String column) throws Exception {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("hunter2")));
      byte[] stored = column("db", 1, column);
      setColumn("db", 1, column, Arrays.copyOf(stored, stored.length - 1));

      BackendException e = failure(() -> backend.read(SecretRef.ofVersion("db", "1")));

      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(e.getMessage()).isEqualTo("stored value of 'db' version 1 failed authentication");
    }
  }

  @Test
  void renumberedVersion_failsAuthentication() throws Exception {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("one")));
      backend.write(WriteRequest.put("db", value("two")));
      backend.write(WriteRequest.put("db", value("three")));
      sql("UPDATE sb_local_version SET version = 9 WHERE mount = ? AND name = 'db' AND version = 1");

      BackendException e = failure(() -> backend.read(SecretRef.ofVersion("db", "9")));

      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(e.getMessage()).isEqualTo("stored value of 'db' version 9 failed authentication");
    }
  }

  @Test
  void rowsCopiedBetweenSecretsOrMounts_failAuthentication() throws Exception {
    String otherMount = mount.replace("/", "x/");
    try (SecretBackend backend = backend();
        SecretBackend other = Backends.create(otherMount, dataDir, database().dataSource(), clock, Map.of())) {
      backend.write(WriteRequest.put("a", value("value-a")));
      backend.write(WriteRequest.put("b", value("value-b")));
      other.write(WriteRequest.put("a", value("value-other")));

      copySealedColumns(mount, "b", mount, "a");
      BackendException fromOtherSecret = failure(() -> backend.read(SecretRef.current("a")));
      copySealedColumns(otherMount, "a", mount, "a");
      BackendException fromOtherMount = failure(() -> backend.read(SecretRef.current("a")));

      assertThat(fromOtherSecret.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(fromOtherSecret.getMessage()).isEqualTo("stored value of 'a' version 1 failed authentication");
      assertThat(fromOtherMount.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(text(backend, SecretRef.current("b"))).isEqualTo("value-b");
      assertThat(text(other, SecretRef.current("a"))).isEqualTo("value-other");
    }
  }

  @Test
  void changedKeyId_isReportedAsAWrongMasterKey() throws Exception {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("hunter2")));
      backend.write(WriteRequest.put("db", value("hunter3")));
      sql("UPDATE sb_local_version SET key_id = '00000000000000ff' WHERE mount = ? AND version = 2");

      BackendException e = failure(() -> backend.read(SecretRef.current("db")));

      assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(e.getMessage()).startsWith("stored value of 'db' version 2 was encrypted under master key"
          + " 00000000000000ff, but this mount's master key is ").contains("wrong master-key-file");
      assertThat(text(backend, SecretRef.ofVersion("db", "1"))).isEqualTo("hunter2");
    }
  }

  @Test
  void wrongMasterKeyFile_isRefusedAtStart_namingTheFile(@TempDir Path otherDataDir) {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("hunter2")));
    }

    assertThatThrownBy(() -> Backends.create(mount, otherDataDir, database().dataSource(), clock, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mounts[0].backend.master-key-file: " + otherDataDir.resolve("master.key"))
        .hasMessageContaining("were encrypted under")
        .hasMessageContaining("is this the right key file?");
  }

  // ---- durability -----------------------------------------------------------------------------------

  @Test
  void restart_aNewInstanceOnTheSameDatabaseAndKey_readsEverything() throws Exception {
    SecretMetadata before;
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("one")));
      backend.write(WriteRequest.put("db", value("two")));
      backend.write(WriteRequest.pending("db", value("three")));
      before = backend.describe("db");
    }

    database().restart();

    try (SecretBackend backend = backend()) {
      assertThat(text(backend, SecretRef.current("db"))).isEqualTo("two");
      assertThat(text(backend, SecretRef.ofStage("db", Stage.PREVIOUS))).isEqualTo("one");
      assertThat(text(backend, SecretRef.ofStage("db", Stage.PENDING))).isEqualTo("three");
      assertThat(backend.describe("db")).isEqualTo(before);
      assertThat(backend.write(WriteRequest.put("db", value("four"))).version()).isEqualTo("4");
    }
  }

  @Test
  void timestamps_keepMicroseconds_andReadBackAsWritten() {
    try (SecretBackend backend = backend()) {
      VersionInfo written = backend.write(WriteRequest.put("db", value("one")));

      assertThat(written.createdAt()).isEqualTo(Instant.parse("2026-03-01T10:15:30.123456Z"));
      assertThat(backend.read(SecretRef.current("db")).info()).isEqualTo(written);
      SecretMetadata meta = backend.describe("db");
      assertThat(meta.versions()).containsExactly(written);
      assertThat(meta.createdAt()).isEqualTo(written.createdAt());
      assertThat(meta.updatedAt()).isEqualTo(written.createdAt());
    }
  }

  // ---- versions and stages --------------------------------------------------------------------------

  @Test
  void versions_areNumberedFromOne_andRestartFromOneAfterDelete() {
    try (SecretBackend backend = backend()) {
      assertThat(backend.write(WriteRequest.put("db", value("one"))).version()).isEqualTo("1");
      assertThat(backend.write(WriteRequest.pending("db", value("two"))).version()).isEqualTo("2");
      backend.delete("db");
      assertThat(backend.write(WriteRequest.put("db", value("again"))).version()).isEqualTo("1");
    }
  }

  @Test
  void writesBeyondMaxVersions_pruneTheOldestVersionsWithoutAStage() {
    try (SecretBackend backend = backend(Map.of("max-versions", 3))) {
      backend.write(WriteRequest.put("db", value("v1")));
      VersionInfo pending = backend.write(WriteRequest.pending("db", value("v2")));
      for (int i = 3; i <= 6; i++) {
        backend.write(WriteRequest.put("db", value("v" + i)));
      }

      SecretMetadata meta = backend.describe("db");

      assertThat(meta.versions()).extracting(VersionInfo::version).containsExactly(pending.version(), "5", "6");
      assertThat(text(backend, SecretRef.ofStage("db", Stage.PENDING))).isEqualTo("v2");
      assertThat(failure(() -> backend.read(SecretRef.ofVersion("db", "4"))).code())
          .isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void moveStage_ofCurrentToThePreviousVersion_rollsBack() {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("one")));
      backend.write(WriteRequest.put("db", value("two")));

      backend.moveStage("db", Stage.CURRENT, "1");

      SecretMetadata meta = backend.describe("db");
      assertThat(meta.current()).map(VersionInfo::version).contains("1");
      assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains("2");
      assertThat(text(backend, SecretRef.current("db"))).isEqualTo("one");
    }
  }

  @Test
  void theDatabaseItself_refusesASecondHolderOfAStage() throws Exception {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("one")));
      backend.write(WriteRequest.pending("db", value("two")));

      assertThatThrownBy(() -> sql("INSERT INTO sb_local_stage (mount, name, stage, version)"
          + " VALUES (?, 'db', 'current', 2)")).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> sql("INSERT INTO sb_local_stage (mount, name, stage, version)"
          + " VALUES (?, 'db', 'bogus', 1)")).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void malformedVersionIds_areNotFound() {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("db", value("one")));
      for (String id : List.of("abc", "01", "0", "-1", "1.0", "99999999999999999999", "")) {
        assertThat(failure(() -> backend.read(SecretRef.ofVersion("db", id))).code()).as(id)
            .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(failure(() -> {
          backend.moveStage("db", Stage.CURRENT, id);
          return null;
        }).code()).as(id).isEqualTo(ErrorCode.NOT_FOUND);
      }
    }
  }

  @Test
  void valueOverTheConfiguredLimit_isInvalidArgument_namingTheSetting() {
    try (SecretBackend backend = backend(Map.of("max-value-bytes", 10))) {
      backend.write(WriteRequest.put("db", value("0123456789")));

      BackendException e = failure(() -> backend.write(WriteRequest.put("db", value("0123456789A"))));

      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("max-value-bytes").doesNotContain("0123456789");
      assertThat(backend.describe("db").versions()).hasSize(1);
    }
  }

  @Test
  void concurrentFirstWrites_thatMustNotExist_haveExactlyOneWinner() throws Exception {
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try (SecretBackend backend = backend()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String v = "w" + i;
        results.add(pool.submit(() -> {
          try {
            backend.write(WriteRequest.put("new", value(v)).expectingCurrent(""));
            return true;
          } catch (BackendException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            return false;
          }
        }));
      }
      int winners = 0;
      for (Future<Boolean> f : results) {
        winners += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      assertThat(backend.describe("new").versions()).extracting(VersionInfo::version).containsExactly("1");
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- list -----------------------------------------------------------------------------------------

  @Test
  void list_ordersNamesByTheirBytes_acrossPages() {
    List<String> names = new ArrayList<>(List.of("a-b", "a.b", "a/b", "aB", "a_b", "ab", "A", "a0", "a"));
    try (SecretBackend backend = backend()) {
      for (String n : names) {
        backend.write(WriteRequest.put(n, value("x")));
      }
      List<String> seen = new ArrayList<>();
      PageRequest request = PageRequest.first(2);
      for (int pages = 0; pages < 10; pages++) {
        Page<SecretSummary> page = backend.list("", request);
        page.items().forEach(s -> seen.add(s.name()));
        if (!page.hasNext()) {
          break;
        }
        request = new PageRequest(2, page.nextPageToken());
      }
      assertThat(seen).containsExactlyElementsOf(names.stream().sorted().collect(Collectors.toList()));
    }
  }

  @Test
  void list_treatsLikeWildcardsInThePrefixLiterally() {
    try (SecretBackend backend = backend()) {
      backend.write(WriteRequest.put("a_b/x", value("1")));
      backend.write(WriteRequest.put("axb/x", value("1")));

      assertThat(backend.list("a_", PageRequest.first(10)).items()).extracting(SecretSummary::name)
          .containsExactly("a_b/x");
      assertThat(backend.list("a%", PageRequest.first(10)).items()).isEmpty();
      assertThat(backend.list("a\\", PageRequest.first(10)).items()).isEmpty();
    }
  }

  @Test
  void list_refusesPageTokensItDidNotIssueForThatPrefix() {
    try (SecretBackend backend = backend()) {
      for (String n : List.of("p/a", "p/b", "p/c", "q/a")) {
        backend.write(WriteRequest.put(n, value("1")));
      }
      String token = backend.list("p/", PageRequest.first(1)).nextPageToken();

      assertThat(backend.list("p/", new PageRequest(5, token)).items()).extracting(SecretSummary::name)
          .containsExactly("p/b", "p/c");
      for (String bad : List.of("garbage!", "bm9wZQ", LocalBackend.encodeToken("q/a"))) {
        assertThat(failure(() -> backend.list("p/", new PageRequest(5, bad))).code()).as(bad)
            .isEqualTo(ErrorCode.INVALID_ARGUMENT);
      }
      assertThat(failure(() -> backend.list("q/", new PageRequest(5, token))).code())
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Test
  void mountsSharingOneDatabase_neverSeeEachOther() {
    String otherMount = mount.replace("/", "y/");
    try (SecretBackend backend = backend();
        SecretBackend other = Backends.create(otherMount, dataDir, database().dataSource(), clock, Map.of())) {
      backend.write(WriteRequest.put("db", value("mine")));
      other.write(WriteRequest.put("db", value("theirs")));
      other.write(WriteRequest.put("only-there", value("x")));

      assertThat(text(backend, SecretRef.current("db"))).isEqualTo("mine");
      assertThat(text(other, SecretRef.current("db"))).isEqualTo("theirs");
      assertThat(backend.list("", PageRequest.first(10)).items()).extracting(SecretSummary::name)
          .containsExactly("db");
      backend.delete("db");
      assertThat(text(other, SecretRef.current("db"))).isEqualTo("theirs");
    }
  }

  // ---- raw database access --------------------------------------------------------------------------

  /** Runs {@code sql} with this test's mount as its only parameter. */
  protected void sql(String sql) throws SQLException {
    try (Connection c = database().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, mount);
      s.executeUpdate();
    }
  }

  private byte[] column(String name, long version, String column) throws SQLException {
    try (Connection c = database().dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT " + column
            + " FROM sb_local_version WHERE mount = ? AND name = ? AND version = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setLong(3, version);
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).as("row of %s version %s", name, version).isTrue();
        return r.getBytes(1);
      }
    }
  }

  private void setColumn(String name, long version, String column, byte[] value) throws SQLException {
    try (Connection c = database().dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("UPDATE sb_local_version SET " + column
            + " = ? WHERE mount = ? AND name = ? AND version = ?")) {
      s.setBytes(1, value);
      s.setString(2, mount);
      s.setString(3, name);
      s.setLong(4, version);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  private void copySealedColumns(String fromMount, String fromName, String toMount, String toName)
      throws SQLException {
    String columns = "key_nonce, wrapped_key, value_nonce, ciphertext";
    try (Connection c = database().dataSource().getConnection()) {
      byte[][] values = new byte[4][];
      try (PreparedStatement s = c.prepareStatement("SELECT " + columns
          + " FROM sb_local_version WHERE mount = ? AND name = ? AND version = 1")) {
        s.setString(1, fromMount);
        s.setString(2, fromName);
        try (ResultSet r = s.executeQuery()) {
          assertThat(r.next()).isTrue();
          for (int i = 0; i < 4; i++) {
            values[i] = r.getBytes(i + 1);
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("UPDATE sb_local_version SET key_nonce = ?, wrapped_key = ?,"
          + " value_nonce = ?, ciphertext = ? WHERE mount = ? AND name = ? AND version = 1")) {
        for (int i = 0; i < 4; i++) {
          s.setBytes(i + 1, values[i]);
        }
        s.setString(5, toMount);
        s.setString(6, toName);
        assertThat(s.executeUpdate()).isEqualTo(1);
      }
    }
  }

  /** Every column of every row this test's mount has in the backend's tables, as bytes. */
  private byte[] rowBytes() throws SQLException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Connection c = database().dataSource().getConnection()) {
      for (String table : List.of("sb_local_secret", "sb_local_version", "sb_local_stage")) {
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM " + table + " WHERE mount = ?")) {
          s.setString(1, mount);
          try (ResultSet r = s.executeQuery()) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
              for (int i = 1; i <= columns; i++) {
                Object o = r.getObject(i);
                byte[] bytes = o instanceof byte[] b ? b : String.valueOf(o).getBytes(UTF_8);
                out.writeBytes(bytes);
                out.write(0);
              }
            }
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** The first index of {@code needle} in {@code haystack}, or -1. */
  protected static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
