package io.secretsbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.ArchiveVerifier;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.Checkpoint;
import io.secretsbroker.audit.DirectoryAnchor;
import io.secretsbroker.audit.DirectoryArchive;
import io.secretsbroker.audit.JournalFixture;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.testkit.FakeClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditArchiverTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration RETENTION = Duration.ofDays(400);

  @TempDir
  Path dir;
  FakeClock clock;
  StateStore state;
  AuditLog audit;
  SimpleMeterRegistry registry;
  Path journalDir;
  Path archiveDir;

  @BeforeEach
  void openAudit() throws IOException {
    clock = new FakeClock(T0);
    state = StateStore.open(StateSettings.h2(dir.resolve("state")));
    registry = new SimpleMeterRegistry();
    journalDir = dir.resolve("audit");
    archiveDir = dir.resolve("archive");
    audit = AuditLog.open(state, registry, JournalFixture.settings(journalDir, "r1"), JournalFixture.key(),
        new DirectoryAnchor(dir.resolve("anchor")), clock, SegmentIo.files(), Duration.ofSeconds(5));
  }

  @AfterEach
  void close() {
    audit.close();
    state.close();
  }

  private void append(int records) {
    for (int i = 0; i < records; i++) {
      audit.append(JournalFixture.entry(clock.instant(), i));
    }
    long target = audit.journal().durableSequence();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (audit.indexedSequence() < target) {
      assertThat(System.nanoTime()).as("indexing record %d", target).isLessThan(deadline);
      LockSupport.parkNanos(5_000_000L);
    }
  }

  private AuditArchiver archiver(Optional<ArchiveStore> archive) {
    return new AuditArchiver(audit, archive, RETENTION, clock, registry);
  }

  private AuditArchiver archiver(ArchiveStore archive, LongSupplier indexed) {
    return new AuditArchiver(audit, Optional.of(archive), RETENTION, clock, registry, indexed);
  }

  private List<String> localSegments() throws IOException {
    return JournalReader.segments(journalDir).stream().map(p -> p.getFileName().toString()).toList();
  }

  private long indexRows(long from, long to) {
    return audit.index().range("r1", from, to, 100_000).size();
  }

  private static long lastOf(List<String> segments, int i) {
    return JournalFormat.firstSequenceOf(segments.get(i + 1)) - 1;
  }

  @Test
  void closedSegmentsPastRetention_areArchivedVerifiedAndRemoved_theLiveSegmentKept() throws Exception {
    append(120);
    List<String> before = localSegments();
    assertThat(before).hasSizeGreaterThanOrEqualTo(4);
    String live = audit.journal().durableEnd().segment().getFileName().toString();
    long lastArchived = JournalFormat.firstSequenceOf(live) - 1;
    AuditArchiver archiver = archiver(Optional.of(new DirectoryArchive(archiveDir)));

    assertThat(archiver.runOnce()).as("nothing is old enough yet").isZero();
    clock.advance(RETENTION.plusDays(1));
    int removed = archiver.runOnce();

    assertThat(removed).isEqualTo(before.size() - 1);
    assertThat(localSegments()).containsExactly(live);
    assertThat(new DirectoryArchive(archiveDir).segments("r1")).containsExactlyElementsOf(before.subList(0, removed));
    assertThat(Files.exists(archiveDir.resolve("r1").resolve(before.get(0) + ArchiveStore.CHECKPOINT_SUFFIX)))
        .isTrue();
    assertThat(indexRows(1, lastArchived)).isZero();
    assertThat(indexRows(lastArchived + 1, 120)).isEqualTo(120 - lastArchived);
    assertThat(registry.get("secrets.audit.archived.segments").counter().count()).isEqualTo(removed);
    assertThat(registry.get("secrets.audit.journal.bytes").gauge().value())
        .isEqualTo((double) Files.size(journalDir.resolve(live)));

    AuditVerifier.Result offline = ArchiveVerifier.verify(new DirectoryArchive(archiveDir), "r1",
        JournalFixture.key(), dir);
    assertThat(offline.ok()).as(offline.reason()).isTrue();
    assertThat(offline.firstSequence()).isEqualTo(1);
    assertThat(offline.lastSequence()).isEqualTo(lastArchived);
    assertThat(offline.newestCheckpoint()).map(Checkpoint::sequence).contains(lastArchived);
    assertThat(audit.verify(0, 0)).allSatisfy(v -> assertThat(v.ok()).as(v.reason()).isTrue());
    assertThat(archiver.runOnce()).as("a second pass finds nothing more").isZero();
  }

  @Test
  void onlySegmentsClosedBeforeTheCutoff_leave_oldestFirst() throws Exception {
    append(80);
    String liveAtT0 = audit.journal().durableEnd().segment().getFileName().toString();
    clock.advance(Duration.ofDays(200));
    append(80);
    clock.advance(Duration.ofDays(201));

    int removed = archiver(Optional.of(new DirectoryArchive(archiveDir))).runOnce();

    assertThat(removed).isPositive();
    assertThat(localSegments().get(0)).as("the segment still open at T0 closed at T0+200d: kept")
        .isEqualTo(liveAtT0);
  }

  @Test
  void withoutAnArchive_segmentsPastRetention_areDeleted_withTheirIndexRows() throws Exception {
    append(100);
    List<String> before = localSegments();
    clock.advance(RETENTION.plusHours(1));

    int removed = archiver(Optional.empty()).runOnce();

    assertThat(removed).isEqualTo(before.size() - 1);
    assertThat(localSegments()).hasSize(1);
    assertThat(indexRows(1, lastOf(before, removed - 1))).isZero();
    assertThat(Files.exists(archiveDir)).isFalse();
    assertThat(registry.get("secrets.audit.archived.segments").counter().count()).isZero();
  }

  @Test
  void aSegmentNotYetIndexed_isKept_andSoAreTheSegmentsAfterIt() throws Exception {
    append(100);
    List<String> before = localSegments();
    clock.advance(RETENTION.plusDays(1));
    long indexedUpTo = lastOf(before, 0) + 3; // into the second segment

    int removed = archiver(new DirectoryArchive(archiveDir), () -> indexedUpTo).runOnce();

    assertThat(removed).isEqualTo(1);
    assertThat(localSegments()).isEqualTo(before.subList(1, before.size()));
    assertThat(indexRows(lastOf(before, 0) + 1, lastOf(before, 1))).isPositive();
  }

  @Test
  void anArchivedCopyThatDiffers_failsTheRun_andKeepsTheLocalSegmentAndItsRows() throws Exception {
    append(100);
    List<String> before = localSegments();
    clock.advance(RETENTION.plusDays(1));
    ArchiveStore flaky = new CorruptingArchive(new DirectoryArchive(archiveDir), archiveDir);

    assertThatThrownBy(() -> archiver(Optional.of(flaky)).runOnce()).isInstanceOf(IOException.class)
        .hasMessageContaining("differs").hasMessageContaining(before.get(0));

    assertThat(localSegments()).isEqualTo(before);
    assertThat(indexRows(1, lastOf(before, 0))).isEqualTo(lastOf(before, 0));

    archiver(Optional.of(flaky)).run(); // the scheduled form logs and counts instead of throwing
    assertThat(registry.get("secrets.audit.archive.failures").counter().count()).isEqualTo(1);
    assertThat(localSegments()).isEqualTo(before);
  }

  @Test
  void aTamperedLocalSegment_isNeitherArchivedNorDeleted() throws Exception {
    append(100);
    List<String> before = localSegments();
    clock.advance(RETENTION.plusDays(1));
    flipByte(journalDir.resolve(before.get(0)), Files.size(journalDir.resolve(before.get(0))) / 2);

    assertThatThrownBy(() -> archiver(Optional.of(new DirectoryArchive(archiveDir))).runOnce())
        .isInstanceOf(IOException.class).hasMessageContaining("does not verify");

    assertThat(localSegments()).isEqualTo(before);
    assertThat(new DirectoryArchive(archiveDir).segments("r1")).isEmpty();
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 1)}), at);
    }
  }

  /** Stores segments through a directory archive, then damages the stored copy (a faulty volume). */
  private record CorruptingArchive(ArchiveStore inner, Path root) implements ArchiveStore {
    @Override
    public void put(String replica, Path segment) throws IOException {
      inner.put(replica, segment);
      flipByte(root.resolve(replica).resolve(segment.getFileName()), 100);
    }

    @Override
    public void putCheckpoint(String replica, String segmentName, Checkpoint checkpoint) throws IOException {
      inner.putCheckpoint(replica, segmentName, checkpoint);
    }

    @Override
    public List<String> replicas() throws IOException {
      return inner.replicas();
    }

    @Override
    public List<String> segments(String replica) throws IOException {
      return inner.segments(replica);
    }

    @Override
    public Optional<Checkpoint> checkpoint(String replica, String segmentName) throws IOException {
      return inner.checkpoint(replica, segmentName);
    }

    @Override
    public Path fetch(String replica, String segmentName, Path intoDir) throws IOException {
      return inner.fetch(replica, segmentName, intoDir);
    }

    @Override
    public String describe() {
      return "corrupting " + inner.describe();
    }
  }
}
