package io.secretsbroker.core.audit;

import static io.secretsbroker.core.audit.AuditFixtures.GET;
import static io.secretsbroker.core.audit.AuditFixtures.KEY;
import static io.secretsbroker.core.audit.AuditFixtures.OTHER_KEY;
import static io.secretsbroker.core.audit.AuditFixtures.access;
import static io.secretsbroker.core.audit.AuditFixtures.appendAll;
import static io.secretsbroker.core.audit.AuditFixtures.awaitIndexed;
import static io.secretsbroker.core.audit.AuditFixtures.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AuditLog#verify} reports tampering with the index or the journal at the exact record, and verifies other
 * replicas' chains from the index with the shared key.
 */
class AuditLogVerifyTest {
  private static final String REPLICA = "r1";
  private static final int RECORDS = 8;

  @TempDir
  Path dir;
  StateStore store;
  AuditLog log;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void open() throws IOException {
    store = StateStore.open(StateSettings.h2(dir));
    opened.add(store);
    log = openLog(REPLICA, KEY);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private AuditLog openLog(String replica, AuditKey key) throws IOException {
    AuditLog l = AuditFixtures.open(store, registry, dir.resolve("journal-" + replica), replica, key,
        SegmentIo.files());
    opened.add(l);
    return l;
  }

  /** Appends {@link #RECORDS} records to {@code l} and waits until they are indexed. */
  private static List<AuditRecord> fill(AuditLog l) {
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 1; i <= RECORDS; i++) {
      entries.add(access("token:alice", GET, "app/s" + i, "OK", i).build());
    }
    List<AuditRecord> records = appendAll(l, entries);
    awaitIndexed(l, RECORDS);
    return records;
  }

  private ChainVerification local() {
    List<ChainVerification> all = log.verify(0, 0);
    assertThat(all).isNotEmpty();
    assertThat(all.get(0).replica()).isEqualTo(REPLICA);
    assertThat(all.get(0).source()).isEqualTo("journal");
    return all.get(0);
  }

  @Test
  void untouched_verifiesOk() {
    fill(log);

    ChainVerification v = local();
    assertThat(v.reason()).isEmpty();
    assertThat(v.ok()).isTrue();
    assertThat(v.recordsChecked()).isEqualTo(RECORDS);
  }

  @Test
  void aDeletedIndexRow_isReportedMissing_atItsSequence() {
    fill(log);
    assertThat(sql(store, "DELETE FROM sb_audit_index WHERE replica = ? AND seq = ?", REPLICA, 3L)).isEqualTo(1);

    ChainVerification v = local();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(3);
    assertThat(v.reason()).contains("record 3").contains("missing");
  }

  @Test
  void anEditedIndexRow_isReportedDiffering_atItsSequence() {
    fill(log);
    assertThat(sql(store, "UPDATE sb_audit_index SET principal = ? WHERE replica = ? AND seq = ?", "token:bob",
        REPLICA, 5L)).isEqualTo(1);

    ChainVerification v = local();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(5);
    assertThat(v.reason()).contains("record 5").contains("differs");
  }

  @ParameterizedTest(name = "sequence {0}")
  @ValueSource(longs = {RECORDS + 1, RECORDS + 1_000, 0, -7})
  void anInventedIndexRow_isReported_atItsSequence(long invented) {
    List<AuditRecord> records = fill(log);
    AuditRecord model = records.get(0);
    sql(store, "INSERT INTO sb_audit_index (replica, seq, time_ms, kind, request_id, principal, auth_method,"
        + " token_accessor, peer, method, name, version, outcome, cache_hit, latency_us, detail, mac) VALUES"
        + " (?, ?, ?, 0, 'req-x', 'token:ghost', 'token', '', '10.0.0.9:1', ?, 'app/s1', '', 'OK', FALSE, 1, '', ?)",
        REPLICA, invented, model.entry().time().toEpochMilli(), GET, new byte[AuditKey.BYTES]);

    ChainVerification v = local();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(invented);
    assertThat(v.reason()).contains("row " + invented).contains("not in the journal");
  }

  @Test
  void aRecordEditedInTheJournalFile_withItsCrcFixed_isCaughtByItsMac() throws IOException {
    fill(log);
    Path segment = JournalReader.segments(dir.resolve("journal-" + REPLICA)).get(0);
    long offset = recordFrameOffset(segment, 4);
    byte[] file = Files.readAllBytes(segment);
    int length = ByteBuffer.wrap(file, (int) offset, 4).getInt();
    int payload = (int) offset + JournalFormat.FRAME_HEADER;
    int at = indexOf(file, "app/s4".getBytes(StandardCharsets.UTF_8), payload, payload + length);
    file[at + 5] = '9'; // app/s4 -> app/s9
    CRC32C crc = new CRC32C();
    crc.update(file, payload, length);
    ByteBuffer.wrap(file).putInt((int) offset + 4, (int) crc.getValue());
    Files.write(segment, file);
    assertThat(recordFrameOffset(segment, 4)).as("the frame still reads (CRC fixed)").isEqualTo(offset);

    ChainVerification v = local();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(4);
    assertThat(v.reason()).contains("record 4").contains("changed").contains("MAC");
  }

  @Test
  void anotherReplicasChain_verifiesFromTheIndex_whenTheReplicasShareTheKey() throws IOException {
    AuditLog other = openLog("r2", KEY);
    fill(log);
    fill(other);

    List<ChainVerification> fromFirst = log.verify(0, 0);
    assertThat(fromFirst).extracting(ChainVerification::replica).containsExactly(REPLICA, "r2");
    assertThat(fromFirst).allSatisfy(v -> {
      assertThat(v.reason()).isEmpty();
      assertThat(v.ok()).isTrue();
      assertThat(v.recordsChecked()).isEqualTo(RECORDS);
    });
    assertThat(fromFirst.get(1).source()).isEqualTo("index");

    List<ChainVerification> fromSecond = other.verify(0, 0);
    assertThat(fromSecond).extracting(ChainVerification::replica).containsExactly("r2", REPLICA);
    assertThat(fromSecond).allSatisfy(v -> assertThat(v.ok()).as(v.reason()).isTrue());
  }

  @Test
  void anotherReplicasIndexedRecordEdited_isReportedAtItsSequence() throws IOException {
    AuditLog other = openLog("r2", KEY);
    fill(log);
    fill(other);
    sql(store, "UPDATE sb_audit_index SET outcome = 'PERMISSION_DENIED' WHERE replica = 'r2' AND seq = 6");

    ChainVerification v = log.verify(0, 0).get(1);
    assertThat(v.replica()).isEqualTo("r2");
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(6);
    assertThat(v.reason()).contains("record 6").contains("does not verify");
  }

  @Test
  void anotherReplicasChain_underADifferentKey_isNotOk_andTheReasonNamesTheKeyFile() throws IOException {
    AuditLog other = openLog("r2", OTHER_KEY);
    fill(log);
    fill(other);

    List<ChainVerification> results = log.verify(0, 0);
    assertThat(results).extracting(ChainVerification::replica).containsExactly(REPLICA, "r2");
    assertThat(results.get(0).ok()).as(results.get(0).reason()).isTrue();
    ChainVerification v = results.get(1);
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenSequence()).isEqualTo(1);
    assertThat(v.reason()).contains("audit.key-file");
  }

  private static long recordFrameOffset(Path segment, long sequence) throws IOException {
    try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
      for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
        if (f instanceof JournalReader.RecordFrame rf && rf.record().sequence() == sequence) {
          return rf.offset();
        }
      }
    }
    throw new AssertionError("no record " + sequence + " in " + segment.getFileName());
  }

  private static int indexOf(byte[] hay, byte[] needle, int from, int to) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("bytes not found in the frame");
  }
}
