package io.secretsbroker.audit;

import static io.secretsbroker.audit.Journals.KEY;
import static io.secretsbroker.audit.Journals.REPLICA;
import static io.secretsbroker.audit.Journals.await;
import static io.secretsbroker.audit.Journals.entry;
import static io.secretsbroker.audit.Journals.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditJournalTest {
  @TempDir
  Path dir;

  private AuditJournal.Settings settings(long segmentBytes, Duration checkpointInterval) {
    return new AuditJournal.Settings(dir.resolve("journal"), REPLICA, segmentBytes, checkpointInterval,
        AuditJournal.Settings.DEFAULT_QUEUE_CAPACITY);
  }

  private AuditJournal.Settings settings() {
    return settings(AuditJournal.Settings.DEFAULT_SEGMENT_BYTES, Journals.NO_PERIODIC_CHECKPOINT);
  }

  private AuditJournal open(AuditJournal.Settings s, SegmentIo io, Anchor anchor, AuditJournal.Listener l)
      throws IOException {
    return AuditJournal.open(s, KEY, anchor, Journals.CLOCK, io, l);
  }

  @Test
  void append_oneAtATime_returnsGaplessSequencesChainedFromGenesis() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    try (AuditJournal j = open(settings(), SegmentIo.files(), null, null)) {
      for (int i = 1; i <= 20; i++) {
        records.add(await(j.append(entry(i))));
      }
      assertThat(j.durableSequence()).isEqualTo(20);
    }

    assertThat(records).extracting(AuditRecord::sequence).containsExactlyElementsOf(seqs(1, 20));
    Mac mac = KEY.newMac();
    byte[] previous = KEY.genesis(REPLICA);
    for (int i = 0; i < records.size(); i++) {
      AuditRecord r = records.get(i);
      assertThat(r.replica()).isEqualTo(REPLICA);
      assertThat(r.entry()).isEqualTo(entry(i + 1));
      byte[] expected = JournalFormat.recordMac(mac, previous, r.sequence(), r.entry());
      assertThat(r.mac()).isEqualTo(HexFormat.of().formatHex(expected));
      previous = expected;
    }
    assertThat(Journals.records(dir.resolve("journal"))).containsExactlyElementsOf(records);
  }

  @Test
  void append_64ConcurrentAppenders_formOneGaplessChainWithFewerFsyncsThanRecords() throws Exception {
    int threads = 64;
    int each = 200;
    int total = threads * each;
    FaultySegmentIo io = new FaultySegmentIo();
    AtomicInteger largestBatch = new AtomicInteger();
    AuditJournal.Listener listener = new AuditJournal.Listener() {
      @Override
      public void durable(List<AuditRecord> records, long writeNanos) {
        largestBatch.accumulateAndGet(records.size(), Math::max);
      }
    };
    List<List<Long>> perThread = new ArrayList<>();
    int fsyncs;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (AuditJournal j = open(settings(), io, null, listener)) {
      int forcesAtStart = io.forces.get();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> mine = new ArrayList<>();
          for (int k = 0; k < each; k++) {
            mine.add(await(j.append(entry(thread * 1000 + k))).sequence());
          }
          return mine;
        }));
      }
      start.countDown();
      for (Future<List<Long>> f : futures) {
        perThread.add(f.get(120, TimeUnit.SECONDS));
      }
      fsyncs = io.forces.get() - forcesAtStart;
      assertThat(j.durableSequence()).isEqualTo(total);
    } finally {
      pool.shutdownNow();
    }

    for (List<Long> mine : perThread) {
      assertThat(mine).hasSize(each).isSorted().doesNotHaveDuplicates();
    }
    assertThat(perThread.stream().flatMap(List::stream).sorted().toList()).containsExactlyElementsOf(seqs(1, total));
    assertThat(fsyncs).as("group commit: one fsync per batch").isLessThan(total);
    assertThat(largestBatch.get()).isGreaterThan(1);
    List<String> written = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      for (int k = 0; k < each; k++) {
        written.add("req-" + (t * 1000 + k));
      }
    }
    assertThat(Journals.records(dir.resolve("journal"))).extracting(r -> r.entry().requestId())
        .containsExactlyInAnyOrderElementsOf(written);
    Journals.Verified v = Journals.verify(dir.resolve("journal"), KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(total);
  }

  @Test
  void appendAll_items_areWrittenInOneWriteInOrder() throws Exception {
    FaultySegmentIo io = new FaultySegmentIo();
    LinkedBlockingQueue<List<AuditRecord>> batches = new LinkedBlockingQueue<>();
    AuditJournal.Listener listener = new AuditJournal.Listener() {
      @Override
      public void durable(List<AuditRecord> records, long writeNanos) {
        batches.add(records);
      }
    };
    List<AuditEntry> items = List.of(entry(10), entry(11), entry(12), entry(13), entry(14));
    List<AuditRecord> records;
    try (AuditJournal j = open(settings(), io, null, listener)) {
      await(j.append(entry(1)));
      assertThat(batches.poll(30, TimeUnit.SECONDS)).extracting(AuditRecord::sequence).containsExactly(1L);
      int writesBefore = io.writes.get();

      records = await(j.appendAll(items));

      assertThat(io.writes.get() - writesBefore).isEqualTo(1);
      assertThat(batches.poll(30, TimeUnit.SECONDS)).isEqualTo(records);
      assertThat(await(j.appendAll(List.of()))).isEmpty();
    }
    assertThat(records).extracting(AuditRecord::sequence).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(records).extracting(AuditRecord::entry).containsExactlyElementsOf(items);
    assertThat(Journals.records(dir.resolve("journal"))).extracting(AuditRecord::sequence)
        .containsExactlyElementsOf(seqs(1, 6));
  }

  @Test
  void close_thenReopen_continuesTheSequenceAndTheChainVerifiesAcrossTheRestart() throws Exception {
    try (AuditJournal j = open(settings(), SegmentIo.files(), null, null)) {
      assertThat(Journals.appendRange(j, 1, 10)).containsExactlyElementsOf(seqs(1, 10));
    }
    try (AuditJournal j = open(settings(), SegmentIo.files(), null, null)) {
      assertThat(j.durableSequence()).isEqualTo(10);
      assertThat(Journals.appendRange(j, 11, 15)).containsExactlyElementsOf(seqs(11, 15));
    }

    Journals.Verified v = Journals.verify(dir.resolve("journal"), KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(15);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 15));
    assertThat(v.result().newestCheckpoint()).map(Checkpoint::sequence).hasValue(15L);
  }

  @Test
  void append_pastSegmentBytes_rollsSegmentsAndVerificationCoversThemAll() throws Exception {
    try (AuditJournal j = open(settings(4096, Journals.NO_PERIODIC_CHECKPOINT), SegmentIo.files(), null, null)) {
      Journals.appendRange(j, 1, 200);
    }

    List<Path> segments = JournalReader.segments(dir.resolve("journal"));
    assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
    long next = 1;
    for (Path seg : segments) {
      List<JournalReader.Frame> frames = Journals.frames(seg);
      JournalFormat.Header h = ((JournalReader.HeaderFrame) frames.get(0)).header();
      assertThat(h.firstSequence()).isEqualTo(next);
      assertThat(seg.getFileName()).hasToString(JournalFormat.segmentName(next));
      List<Long> inSegment = frames.stream().filter(f -> f instanceof JournalReader.RecordFrame)
          .map(f -> ((JournalReader.RecordFrame) f).record().sequence()).toList();
      assertThat(inSegment).containsExactlyElementsOf(seqs(next, next + inSegment.size() - 1));
      assertThat(frames.get(frames.size() - 1)).as("a closed segment ends with a checkpoint")
          .isInstanceOf(JournalReader.CheckpointFrame.class);
      next += inSegment.size();
    }
    assertThat(next).isEqualTo(201);
    Journals.Verified v = Journals.verify(dir.resolve("journal"), KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(200);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 200));
  }

  @Test
  void checkpointInterval_whileRecordsArrive_anchorsACheckpointThatVerifyReports() throws Exception {
    DirectoryAnchor anchor = new DirectoryAnchor(dir.resolve("anchor"));
    LinkedBlockingQueue<Checkpoint> anchored = new LinkedBlockingQueue<>();
    AuditJournal.Listener listener = new AuditJournal.Listener() {
      @Override
      public void anchored(Checkpoint checkpoint) {
        anchored.add(checkpoint);
      }
    };
    AuditJournal.Settings s = settings(AuditJournal.Settings.DEFAULT_SEGMENT_BYTES, Duration.ofMillis(50));
    try (AuditJournal j = open(s, SegmentIo.files(), anchor, listener)) {
      List<AuditRecord> records = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        records.add(await(j.append(entry(i))));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Checkpoint cp = null;
      while (cp == null || cp.sequence() < 5) {
        cp = anchored.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(cp).as("no checkpoint of record 5 anchored in time").isNotNull();
      }

      assertThat(cp.sequence()).isEqualTo(5);
      assertThat(cp.replica()).isEqualTo(REPLICA);
      assertThat(cp.mac()).isEqualTo(records.get(4).mac());
      assertThat(cp.verify(KEY)).isTrue();
      assertThat(anchor.latest(REPLICA)).hasValue(cp);
      List<Long> visited = new ArrayList<>();
      AuditVerifier.Result r = AuditVerifier.verify(JournalReader.segments(j.dir()), j::readableLength, KEY,
          REPLICA, anchor.latest(REPLICA), 0, 0, rec -> visited.add(rec.sequence()));
      assertThat(r.ok()).as(r.reason()).isTrue();
      assertThat(r.newestCheckpoint()).hasValue(cp);
      assertThat(visited).containsExactlyElementsOf(seqs(1, 5));
    }
  }

  @Test
  void open_journalOfAnotherReplica_isRefusedNamingBothReplicas() throws Exception {
    try (AuditJournal j = open(settings(), SegmentIo.files(), null, null)) {
      await(j.append(entry(1)));
    }
    AuditJournal.Settings other = new AuditJournal.Settings(dir.resolve("journal"), "r2",
        AuditJournal.Settings.DEFAULT_SEGMENT_BYTES, Journals.NO_PERIODIC_CHECKPOINT, 16);

    assertThatThrownBy(() -> open(other, SegmentIo.files(), null, null)).isInstanceOf(IOException.class)
        .hasMessageContaining("belongs to replica 'r1', not 'r2'");
  }

  @Test
  void append_afterClose_failsWithAuditUnavailable() throws Exception {
    AuditJournal j = open(settings(), SegmentIo.files(), null, null);
    j.close();

    assertThat(j.append(entry(1))).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(AuditUnavailableException.class).withMessage("the audit journal is closed");
  }

  @Test
  void settings_segmentBytesBelowMinimum_isRefusedNamingTheField() {
    assertThatThrownBy(() -> settings(4095, Journals.NO_PERIODIC_CHECKPOINT))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("segmentBytes must be at least 4096, was 4095");
    assertThatThrownBy(() -> settings(4096, Duration.ZERO)).hasMessage("checkpointInterval must be positive");
  }
}
