package io.secretsbroker.core.audit;

import static io.secretsbroker.core.audit.AuditFixtures.BATCH_GET;
import static io.secretsbroker.core.audit.AuditFixtures.GET;
import static io.secretsbroker.core.audit.AuditFixtures.KEY;
import static io.secretsbroker.core.audit.AuditFixtures.PUT;
import static io.secretsbroker.core.audit.AuditFixtures.T0;
import static io.secretsbroker.core.audit.AuditFixtures.access;
import static io.secretsbroker.core.audit.AuditFixtures.allPages;
import static io.secretsbroker.core.audit.AuditFixtures.appendAll;
import static io.secretsbroker.core.audit.AuditFixtures.await;
import static io.secretsbroker.core.audit.AuditFixtures.everything;
import static io.secretsbroker.core.audit.AuditFixtures.rowsAndDistinctSequences;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link AuditLog} promises on any state database: durable records become queryable with every filter,
 * newest first; the cursor pages through them exactly once; read statistics; verification of an intact log; and
 * an index that catches up after a restart. Each database's test is a subclass that says how to open it.
 */
abstract class AuditLogContract {
  static final String REPLICA = "r1";

  @TempDir
  Path dir;
  StateStore store;
  AuditLog log;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Where the state database of a test lives. */
  abstract StateSettings stateSettings(Path dataDir);

  /** Empties what earlier tests left in a database shared by the test class (nothing for a fresh one). */
  void reset(StateStore store) {}

  @BeforeEach
  void openLog() throws IOException {
    store = openStore();
    reset(store);
    log = openLog(REPLICA, dir.resolve("journal"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  StateStore openStore() {
    StateStore s = StateStore.open(stateSettings(dir));
    opened.add(s);
    return s;
  }

  AuditLog openLog(String replica, Path journalDir) throws IOException {
    AuditLog l = AuditFixtures.open(store, registry, journalDir, replica, KEY, SegmentIo.files());
    opened.add(l);
    return l;
  }

  private static List<Long> sequences(List<AuditRecord> records) {
    return records.stream().map(AuditRecord::sequence).toList();
  }

  private List<Long> sequencesOf(AuditQuery q) {
    return sequences(log.query(q));
  }

  private static AuditQuery where(String principal, String namePrefix, String method, String outcome,
      String requestId) {
    return new AuditQuery(principal, namePrefix, method, outcome, requestId, null, null, null, 100);
  }

  @Test
  void appendedRecords_areQueryableByEveryFilter_newestFirst() {
    appendAll(log, List.of(
        access("token:alice", GET, "db/password", "OK", 10).build(),                   // 1
        access("token:bob", GET, "db/user", "PERMISSION_DENIED", 20).build(),          // 2
        access("token:alice", BATCH_GET, "dbx/other", "OK", 30).build(),               // 3
        access("token:alice", PUT, "db_/literal", "OK", 40).build(),                   // 4
        access("token:carol", "other.v1.Other/GetSecretish", "db/password", "OK", 50).build(), // 5
        access("token:alice", GET, "app/key", "NOT_FOUND", 60).requestId("req-special").build())); // 6

    assertThat(sequencesOf(everything(100))).containsExactly(6L, 5L, 4L, 3L, 2L, 1L);
    assertThat(sequencesOf(where("token:alice", null, null, null, null))).containsExactly(6L, 4L, 3L, 1L);
    assertThat(sequencesOf(where(null, "db/", null, null, null))).containsExactly(5L, 2L, 1L);
    assertThat(sequencesOf(where(null, "db_", null, null, null))).as("_ in a prefix is no wildcard")
        .containsExactly(4L);
    assertThat(sequencesOf(where(null, null, "GetSecret", null, null))).as("short method name")
        .containsExactly(6L, 2L, 1L);
    assertThat(sequencesOf(where(null, null, PUT, null, null))).as("full method name").containsExactly(4L);
    assertThat(sequencesOf(where(null, null, null, "PERMISSION_DENIED", null))).containsExactly(2L);
    assertThat(sequencesOf(where(null, null, null, null, "req-special"))).containsExactly(6L);
    assertThat(sequencesOf(where("token:alice", "db", "GetSecret", "OK", null))).containsExactly(1L);
    assertThat(sequencesOf(new AuditQuery(null, null, null, null, null, T0.plusMillis(20), T0.plusMillis(50), null,
        100))).as("from inclusive, to exclusive").containsExactly(4L, 3L, 2L);
    assertThat(sequencesOf(new AuditQuery(null, null, null, null, null, null, null, null, 2))).as("limit")
        .containsExactly(6L, 5L);

    AuditRecord newest = log.query(everything(1)).get(0);
    assertThat(newest.replica()).isEqualTo(REPLICA);
    assertThat(newest.entry().principal()).isEqualTo("token:alice");
    assertThat(newest.entry().name()).isEqualTo("app/key");
    assertThat(newest.entry().time()).isEqualTo(T0.plusMillis(60));
  }

  @Test
  void pagingThroughTheCursor_returnsEveryRecordExactlyOnce_acrossPagesAndReplicas() throws Exception {
    AuditLog second = openLog("r2", dir.resolve("journal-r2"));
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      entries.add(access("token:p" + i % 5, GET, "app/s" + i, "OK", i / 4).build()); // 4 records a millisecond
    }
    List<AuditRecord> written = new ArrayList<>(await(log.appendAsync(entries.subList(0, 30))));
    written.addAll(await(second.appendAsync(entries.subList(30, 57))));
    written.addAll(await(second.appendAsync(entries.subList(0, 3)))); // same times as r1's first records
    AuditFixtures.awaitIndexed(second, 30);

    List<AuditRecord> paged = allPages(log, everything(0), 10);

    Comparator<AuditRecord> newestFirst = Comparator.<AuditRecord>comparingLong(r -> -r.entry().time().toEpochMilli())
        .thenComparing(AuditRecord::replica).thenComparing(r -> -r.sequence());
    assertThat(paged).hasSize(60).containsExactlyElementsOf(written.stream().sorted(newestFirst).toList());
    Map<String, Long> perReplica = paged.stream().collect(Collectors.groupingBy(AuditRecord::replica,
        Collectors.counting()));
    assertThat(perReplica).containsEntry(REPLICA, 30L).containsEntry("r2", 30L);
  }

  @Test
  void accessStats_countReadsAndDenials_andNameTheLastAccessor() {
    appendAll(log, List.of(
        access("token:alice", GET, "app/db", "OK", 10).build(),
        access("token:bob", BATCH_GET, "app/db", "OK", 20).build(),
        access("token:eve", GET, "app/db", "PERMISSION_DENIED", 30).build(),
        access("token:mallory", BATCH_GET, "app/db", "PERMISSION_DENIED", 40).build(),
        access("token:carol", PUT, "app/db", "OK", 50).build(),               // a write, not a read
        access("token:dave", GET, "app/db", "NOT_FOUND", 60).build(),         // neither a read nor a denial
        access("token:alice", GET, "app/cache", "OK", 70).build(),
        access("token:alice", GET, "other/db", "OK", 80).build()));           // outside the prefix

    Map<String, AccessStats> stats = log.accessStats("app/");

    assertThat(stats).containsOnlyKeys("app/db", "app/cache");
    assertThat(stats.get("app/db")).isEqualTo(new AccessStats("app/db", 2, T0.plusMillis(20), "token:bob", 2));
    assertThat(stats.get("app/cache")).isEqualTo(new AccessStats("app/cache", 1, T0.plusMillis(70), "token:alice",
        0));
  }

  @Test
  void accessStats_ofANeverReadSecret_haveNoLastAccessor() {
    log.append(access("token:eve", GET, "app/locked", "PERMISSION_DENIED", 10).build());

    assertThat(log.accessStats("app/")).containsExactlyEntriesOf(Map.of("app/locked",
        new AccessStats("app/locked", 0, null, "", 1)));
  }

  @Test
  void append_returnsARecordThatIsAlreadyDurableInTheJournal() throws IOException {
    AuditEntry entry = access("token:alice", PUT, "db/password", "PENDING", 5).build();

    AuditRecord record = log.append(entry);

    assertThat(record.replica()).isEqualTo(REPLICA);
    assertThat(record.sequence()).isEqualTo(1);
    assertThat(record.entry()).isEqualTo(entry);
    assertThat(log.journal().durableSequence()).isGreaterThanOrEqualTo(1);
    List<AuditRecord> inFiles = new ArrayList<>();
    for (Path seg : JournalReader.segments(dir.resolve("journal"))) {
      try (JournalReader r = new JournalReader(seg, log.journal().readableLength(seg))) {
        for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
          if (f instanceof JournalReader.RecordFrame rf) {
            inFiles.add(rf.record());
          }
        }
      }
    }
    assertThat(inFiles).containsExactly(record);
  }

  @Test
  void verify_ofAnIntactLog_isOk() {
    appendAll(log, List.of(access("token:a", GET, "x", "OK", 1).build(), access("token:b", GET, "y", "OK", 2)
        .build(), access("token:c", GET, "z", "OK", 3).build()));

    assertThat(log.verify(0, 0)).singleElement().satisfies(v -> {
      assertThat(v.reason()).isEmpty();
      assertThat(v.ok()).isTrue();
      assertThat(v.replica()).isEqualTo(REPLICA);
      assertThat(v.source()).isEqualTo("journal");
      assertThat(v.recordsChecked()).isEqualTo(3);
      assertThat(v.firstBrokenSequence()).isZero();
    });
  }

  @Test
  void afterARestart_theIndexCatchesUp_andHoldsEveryRecordOnce() throws Exception {
    List<AuditEntry> before = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      before.add(access("token:a", GET, "app/s" + i, "OK", i).build());
    }
    await(log.appendAsync(before.subList(0, 5)));
    log.query(everything(1)); // the first five are indexed; the next fifteen may not be when the log closes
    await(log.appendAsync(before.subList(5, 20)));
    log.close();
    store.close();
    // written while no indexer runs (as by a process killed before its indexer's next batch): surely not indexed
    try (AuditJournal journal = AuditJournal.open(AuditFixtures.settings(dir.resolve("journal"), REPLICA), KEY, null,
        AuditFixtures.CLOCK, SegmentIo.files(), null)) {
      await(journal.appendAll(before.subList(20, 25)));
    }

    store = openStore();
    log = openLog(REPLICA, dir.resolve("journal"));
    List<AuditRecord> after = appendAll(log, List.of(access("token:b", GET, "app/t1", "OK", 100).build(),
        access("token:b", GET, "app/t2", "OK", 101).build()));

    assertThat(sequences(after)).containsExactly(26L, 27L);
    List<AuditRecord> all = log.query(everything(1_000));
    assertThat(sequences(all)).containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 27).boxed().toList());
    assertThat(rowsAndDistinctSequences(store, REPLICA)).containsExactly(27, 27);
    assertThat(all.stream().collect(Collectors.toMap(AuditRecord::sequence, Function.identity())).get(26L).entry()
        .name()).isEqualTo("app/t1");
    assertThat(log.verify(0, 0)).singleElement().satisfies(v -> assertThat(v.ok()).as(v.reason()).isTrue());
  }
}
