package io.secretsbroker.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The local backend: secrets kept in the broker's state database, each version's value sealed by
 * {@link Envelope} (AES-256-GCM under a per-version data key, wrapped by the master key).
 *
 * <p>Rows are keyed by (mount, name), so several mounts may share one database. Version ids are "1", "2", …
 * per secret. Every write is one transaction that locks the secret's row ({@code SELECT … FOR UPDATE}), so
 * concurrent writers get distinct versions and exactly one check-and-set wins; the stage table's primary key
 * lets at most one version hold each stage. A write keeps at most {@code max-versions} versions, deleting
 * the oldest that hold no stage.
 *
 * <p>Thread-safe.
 */
final class LocalBackend implements SecretBackend {
  private static final Set<Capability> CAPABILITIES =
      Set.copyOf(EnumSet.of(Capability.VERSIONING, Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET));
  private static final Pattern VERSION_ID = Pattern.compile("[1-9][0-9]{0,17}");
  private static final int MAX_NAME_BYTES = 512;
  private static final String TOKEN_MARK = "local:1:";

  private static final String VERSION_COLUMNS = "v.version, v.created_at, v.key_id, v.key_nonce, v.wrapped_key,"
      + " v.value_nonce, v.ciphertext,"
      + " (SELECT SUM(CASE s.stage WHEN 'current' THEN 1 WHEN 'previous' THEN 2 WHEN 'pending' THEN 4 ELSE 0 END)"
      + "  FROM sb_local_stage s WHERE s.mount = v.mount AND s.name = v.name AND s.version = v.version) AS stages";

  private final String mount;
  private final LocalConfig config;
  private final Envelope envelope;
  private final StateDatabase db;
  private final Clock clock;

  LocalBackend(String mount, LocalConfig config, MasterKey masterKey, StateDatabase db, Clock clock) {
    this.mount = mount;
    this.config = config;
    this.envelope = new Envelope(masterKey);
    this.db = db;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return LocalBackendProvider.KIND;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  // ---- read -----------------------------------------------------------------------------------------

  @Override
  public SecretVersion read(SecretRef ref) {
    String name = checkName(ref.name());
    StoredVersion stored = db.read("reading", name, c -> {
      StoredVersion found = ref.version() != null
          ? selectVersion(c, name, ref.version())
          : selectStage(c, name, ref.stage());
      if (found == null) {
        throw secretExists(c, name) ? BackendException.notFound(ref) : BackendException.notFound(name);
      }
      return found;
    });
    byte[] plaintext = open(name, stored);
    return new SecretVersion(name, stored.info(), SecretValue.wrap(plaintext));
  }

  private StoredVersion selectVersion(Connection c, String name, String version) throws SQLException {
    if (!VERSION_ID.matcher(version).matches()) {
      return null;
    }
    try (PreparedStatement s = db.prepare(c, "SELECT " + VERSION_COLUMNS
        + " FROM sb_local_version v WHERE v.mount = ? AND v.name = ? AND v.version = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setLong(3, Long.parseLong(version));
      return storedVersion(s);
    }
  }

  private StoredVersion selectStage(Connection c, String name, Stage stage) throws SQLException {
    try (PreparedStatement s = db.prepare(c, "SELECT " + VERSION_COLUMNS
        + " FROM sb_local_stage st JOIN sb_local_version v"
        + "   ON v.mount = st.mount AND v.name = st.name AND v.version = st.version"
        + " WHERE st.mount = ? AND st.name = ? AND st.stage = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setString(3, stage.word());
      return storedVersion(s);
    }
  }

  private static StoredVersion storedVersion(PreparedStatement s) throws SQLException {
    try (ResultSet r = s.executeQuery()) {
      if (!r.next()) {
        return null;
      }
      long version = r.getLong(1);
      VersionInfo info = new VersionInfo(Long.toString(version), stagesOf(r.getLong(8)), instant(r, 2));
      Envelope.Sealed sealed = new Envelope.Sealed(r.getString(3), r.getBytes(4), r.getBytes(5), r.getBytes(6),
          r.getBytes(7));
      return new StoredVersion(version, info, sealed);
    }
  }

  private byte[] open(String name, StoredVersion stored) {
    try {
      return envelope.open(mount, name, stored.version(), stored.sealed());
    } catch (Envelope.WrongKeyException e) {
      throw new BackendException(ErrorCode.INTERNAL, "stored value of '" + name + "' version " + stored.version()
          + " was encrypted under master key " + e.storedKeyId() + ", but this mount's master key is "
          + envelope.keyId() + " (wrong master-key-file?)");
    } catch (Envelope.TamperedException e) {
      throw new BackendException(ErrorCode.INTERNAL,
          "stored value of '" + name + "' version " + stored.version() + " failed authentication");
    }
  }

  // ---- write ----------------------------------------------------------------------------------------

  @Override
  public VersionInfo write(WriteRequest request) {
    String name = checkName(request.name());
    if (request.value().size() > config.maxValueBytes()) {
      throw BackendException.invalid("value of '" + name + "' is " + request.value().size()
          + " bytes, more than this mount's limit of " + config.maxValueBytes() + " bytes (max-value-bytes)");
    }
    return db.write("writing", name, c -> {
      Instant now = now();
      Long next = lockSecret(c, name);
      long version;
      if (next == null) {
        insertSecret(c, name, now);
        version = 1;
      } else {
        version = next;
        try (PreparedStatement s = db.prepare(c,
            "UPDATE sb_local_secret SET next_version = ?, updated_at = ? WHERE mount = ? AND name = ?")) {
          s.setLong(1, version + 1);
          s.setObject(2, timestamp(now));
          s.setString(3, mount);
          s.setString(4, name);
          s.executeUpdate();
        }
      }
      Map<Stage, Long> holders = stageHolders(c, name);
      Long current = holders.get(Stage.CURRENT);
      BackendException.checkExpectedCurrent(request, current == null ? null : current.toString());
      insertVersion(c, name, version, now, request.value());
      if (request.stage() == Stage.CURRENT) {
        deleteStage(c, name, Stage.PREVIOUS);
        renameStage(c, name, Stage.CURRENT, Stage.PREVIOUS);
      } else {
        deleteStage(c, name, request.stage());
      }
      insertStage(c, name, request.stage(), version);
      prune(c, name);
      return new VersionInfo(Long.toString(version), Set.of(request.stage()), now);
    });
  }

  /** Locks the secret's row; returns its next version number, or null when the secret does not exist. */
  private Long lockSecret(Connection c, String name) throws SQLException {
    try (PreparedStatement s = db.prepare(c,
        "SELECT next_version FROM sb_local_secret WHERE mount = ? AND name = ? FOR UPDATE")) {
      s.setString(1, mount);
      s.setString(2, name);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : null;
      }
    }
  }

  private void insertSecret(Connection c, String name, Instant now) throws SQLException {
    try (PreparedStatement s = db.prepare(c, "INSERT INTO sb_local_secret"
        + " (mount, name, next_version, created_at, updated_at) VALUES (?, ?, 2, ?, ?)")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setObject(3, timestamp(now));
      s.setObject(4, timestamp(now));
      s.executeUpdate();
    }
  }

  private void insertVersion(Connection c, String name, long version, Instant now, SecretValue value)
      throws SQLException {
    byte[] plaintext = value.bytes();
    Envelope.Sealed sealed;
    try {
      sealed = envelope.seal(mount, name, version, plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    try (PreparedStatement s = db.prepare(c, "INSERT INTO sb_local_version (mount, name, version, created_at,"
        + " key_id, key_nonce, wrapped_key, value_nonce, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setLong(3, version);
      s.setObject(4, timestamp(now));
      s.setString(5, sealed.keyId());
      s.setBytes(6, sealed.keyNonce());
      s.setBytes(7, sealed.wrappedKey());
      s.setBytes(8, sealed.valueNonce());
      s.setBytes(9, sealed.ciphertext());
      s.executeUpdate();
    }
  }

  /** Deletes the oldest versions that hold no stage until at most {@code max-versions} remain. */
  private void prune(Connection c, String name) throws SQLException {
    List<Long> unstaged = new ArrayList<>();
    int total = 0;
    try (PreparedStatement s = db.prepare(c, "SELECT v.version, (SELECT COUNT(*) FROM sb_local_stage st"
        + "   WHERE st.mount = v.mount AND st.name = v.name AND st.version = v.version)"
        + " FROM sb_local_version v WHERE v.mount = ? AND v.name = ? ORDER BY v.version")) {
      s.setString(1, mount);
      s.setString(2, name);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          total++;
          if (r.getLong(2) == 0) {
            unstaged.add(r.getLong(1));
          }
        }
      }
    }
    int excess = total - config.maxVersions();
    if (excess <= 0 || unstaged.isEmpty()) {
      return;
    }
    try (PreparedStatement s = db.prepare(c,
        "DELETE FROM sb_local_version WHERE mount = ? AND name = ? AND version = ?")) {
      for (long version : unstaged.subList(0, Math.min(excess, unstaged.size()))) {
        s.setString(1, mount);
        s.setString(2, name);
        s.setLong(3, version);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  // ---- stages ---------------------------------------------------------------------------------------

  @Override
  public void moveStage(String name, Stage stage, String version) {
    checkName(name);
    db.write("moving a stage of", name, c -> {
      requireLocked(c, name);
      long number = requireVersion(c, name, version);
      Map<Stage, Long> holders = stageHolders(c, name);
      if (stage == Stage.CURRENT) {
        Long current = holders.get(Stage.CURRENT);
        if (current == null || current != number) {
          deleteStage(c, name, Stage.PREVIOUS);
          renameStage(c, name, Stage.CURRENT, Stage.PREVIOUS);
          insertStage(c, name, Stage.CURRENT, number);
        }
        if (Long.valueOf(number).equals(holders.get(Stage.PENDING))) {
          deleteStage(c, name, Stage.PENDING);
        }
      } else if (!Long.valueOf(number).equals(holders.get(stage))) {
        deleteStage(c, name, stage);
        insertStage(c, name, stage, number);
      }
      return null;
    });
  }

  @Override
  public void clearStage(String name, Stage stage) {
    checkName(name);
    db.write("clearing a stage of", name, c -> {
      requireLocked(c, name);
      deleteStage(c, name, stage);
      return null;
    });
  }

  private void requireLocked(Connection c, String name) throws SQLException {
    if (lockSecret(c, name) == null) {
      throw BackendException.notFound(name);
    }
  }

  private long requireVersion(Connection c, String name, String version) throws SQLException {
    if (VERSION_ID.matcher(version).matches()) {
      try (PreparedStatement s = db.prepare(c,
          "SELECT 1 FROM sb_local_version WHERE mount = ? AND name = ? AND version = ?")) {
        s.setString(1, mount);
        s.setString(2, name);
        s.setLong(3, Long.parseLong(version));
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            return Long.parseLong(version);
          }
        }
      }
    }
    throw BackendException.notFound(SecretRef.ofVersion(name, version));
  }

  private Map<Stage, Long> stageHolders(Connection c, String name) throws SQLException {
    Map<Stage, Long> holders = new EnumMap<>(Stage.class);
    try (PreparedStatement s = db.prepare(c,
        "SELECT stage, version FROM sb_local_stage WHERE mount = ? AND name = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          holders.put(Stage.fromWord(r.getString(1)), r.getLong(2));
        }
      }
    }
    return holders;
  }

  private void deleteStage(Connection c, String name, Stage stage) throws SQLException {
    try (PreparedStatement s = db.prepare(c,
        "DELETE FROM sb_local_stage WHERE mount = ? AND name = ? AND stage = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setString(3, stage.word());
      s.executeUpdate();
    }
  }

  private void renameStage(Connection c, String name, Stage from, Stage to) throws SQLException {
    try (PreparedStatement s = db.prepare(c,
        "UPDATE sb_local_stage SET stage = ? WHERE mount = ? AND name = ? AND stage = ?")) {
      s.setString(1, to.word());
      s.setString(2, mount);
      s.setString(3, name);
      s.setString(4, from.word());
      s.executeUpdate();
    }
  }

  private void insertStage(Connection c, String name, Stage stage, long version) throws SQLException {
    try (PreparedStatement s = db.prepare(c,
        "INSERT INTO sb_local_stage (mount, name, stage, version) VALUES (?, ?, ?, ?)")) {
      s.setString(1, mount);
      s.setString(2, name);
      s.setString(3, stage.word());
      s.setLong(4, version);
      s.executeUpdate();
    }
  }

  // ---- list, describe, delete -----------------------------------------------------------------------

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    String after = page.token().isEmpty() ? null : decodeToken(prefix, page.token());
    return db.read("listing", prefix, c -> {
      List<SecretSummary> items = new ArrayList<>();
      boolean more = false;
      try (PreparedStatement s = db.prepare(c, "SELECT sec.name, sec.created_at, sec.updated_at, st.version"
          + " FROM sb_local_secret sec LEFT JOIN sb_local_stage st"
          + "   ON st.mount = sec.mount AND st.name = sec.name AND st.stage = 'current'"
          + " WHERE sec.mount = ? AND sec.name LIKE ? ESCAPE '\\' AND sec.name > ?"
          + " ORDER BY sec.name FETCH FIRST ? ROWS ONLY")) {
        s.setString(1, mount);
        s.setString(2, escapeLike(prefix) + "%");
        s.setString(3, after == null ? "" : after);
        s.setInt(4, page.size() + 1);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            if (items.size() == page.size()) {
              more = true;
              break;
            }
            long current = r.getLong(4);
            items.add(new SecretSummary(r.getString(1), r.wasNull() ? null : Long.toString(current),
                instant(r, 2), instant(r, 3)));
          }
        }
      }
      return new Page<>(items, more ? encodeToken(items.get(items.size() - 1).name()) : "");
    });
  }

  @Override
  public SecretMetadata describe(String name) {
    checkName(name);
    return db.read("describing", name, c -> {
      try (PreparedStatement s = db.prepare(c, "SELECT sec.created_at, sec.updated_at, v.version, v.created_at,"
          + " st.stage FROM sb_local_secret sec"
          + " JOIN sb_local_version v ON v.mount = sec.mount AND v.name = sec.name"
          + " LEFT JOIN sb_local_stage st ON st.mount = v.mount AND st.name = v.name AND st.version = v.version"
          + " WHERE sec.mount = ? AND sec.name = ? ORDER BY v.version")) {
        s.setString(1, mount);
        s.setString(2, name);
        Instant createdAt = null;
        Instant updatedAt = null;
        Map<Long, Instant> created = new LinkedHashMap<>();
        Map<Long, EnumSet<Stage>> stages = new LinkedHashMap<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            createdAt = instant(r, 1);
            updatedAt = instant(r, 2);
            long version = r.getLong(3);
            created.putIfAbsent(version, instant(r, 4));
            EnumSet<Stage> held = stages.computeIfAbsent(version, v -> EnumSet.noneOf(Stage.class));
            String stage = r.getString(5);
            if (stage != null) {
              held.add(Stage.fromWord(stage));
            }
          }
        }
        if (createdAt == null) {
          throw BackendException.notFound(name);
        }
        List<VersionInfo> versions = new ArrayList<>();
        created.forEach((version, at) -> versions.add(new VersionInfo(Long.toString(version), stages.get(version),
            at)));
        return new SecretMetadata(name, versions, createdAt, updatedAt);
      }
    });
  }

  @Override
  public void delete(String name) {
    checkName(name);
    db.write("deleting", name, c -> {
      requireLocked(c, name);
      for (String table : List.of("sb_local_stage", "sb_local_version", "sb_local_secret")) {
        try (PreparedStatement s = db.prepare(c, "DELETE FROM " + table + " WHERE mount = ? AND name = ?")) {
          s.setString(1, mount);
          s.setString(2, name);
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public boolean healthy() {
    return db.healthy();
  }

  /** Nothing to release: the state database belongs to the broker. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "LocalBackend[mount=" + mount + ", keyId=" + envelope.keyId() + "]";
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private boolean secretExists(Connection c, String name) throws SQLException {
    try (PreparedStatement s = db.prepare(c, "SELECT 1 FROM sb_local_secret WHERE mount = ? AND name = ?")) {
      s.setString(1, mount);
      s.setString(2, name);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    return r.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static Set<Stage> stagesOf(long mask) {
    EnumSet<Stage> stages = EnumSet.noneOf(Stage.class);
    if ((mask & 1) != 0) {
      stages.add(Stage.CURRENT);
    }
    if ((mask & 2) != 0) {
      stages.add(Stage.PREVIOUS);
    }
    if ((mask & 4) != 0) {
      stages.add(Stage.PENDING);
    }
    return stages;
  }

  private static String checkName(String name) {
    if (name.isEmpty() || name.getBytes(UTF_8).length > MAX_NAME_BYTES) {
      throw BackendException.invalid("secret name must be 1 to " + MAX_NAME_BYTES + " bytes long");
    }
    return name;
  }

  /** Escapes LIKE's wildcards ({@code %}, {@code _}) and its escape character ({@code \}). */
  static String escapeLike(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\\' || ch == '%' || ch == '_') {
        out.append('\\');
      }
      out.append(ch);
    }
    return out.toString();
  }

  /** The opaque page token after {@code lastName}: base64url of a mark and the name. */
  static String encodeToken(String lastName) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((TOKEN_MARK + lastName).getBytes(UTF_8));
  }

  /** The last name of the previous page, checked to belong to a listing of {@code prefix}. */
  static String decodeToken(String prefix, String token) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), UTF_8);
    } catch (IllegalArgumentException e) {
      text = "";
    }
    String lastName = text.startsWith(TOKEN_MARK) ? text.substring(TOKEN_MARK.length()) : "";
    if (lastName.isEmpty() || !lastName.startsWith(prefix) || lastName.getBytes(UTF_8).length > MAX_NAME_BYTES) {
      throw BackendException.invalid("page token was not issued by this backend for a listing of '"
          + prefix + "'");
    }
    return lastName;
  }

  /** One stored version as read from the database, still sealed. */
  private record StoredVersion(long version, VersionInfo info, Envelope.Sealed sealed) {}
}
