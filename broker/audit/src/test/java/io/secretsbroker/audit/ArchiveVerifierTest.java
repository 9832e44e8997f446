package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveVerifierTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path tmp;
  Path root;
  ArchiveStore store;
  List<Path> local;

  @BeforeEach
  void archiveAJournal() throws Exception {
    local = JournalFixture.write(tmp.resolve("journal"), "r1", 80, CLOCK, null);
    assertThat(local).hasSizeGreaterThanOrEqualTo(3);
    root = tmp.resolve("archive");
    store = new DirectoryArchive(root);
    for (Path s : local) {
      store.put("r1", s);
      store.putCheckpoint("r1", s.getFileName().toString(), ArchiveStoreContract.lastCheckpointOf(s));
    }
  }

  private AuditVerifier.Result verify() throws Exception {
    return ArchiveVerifier.verify(store, "r1", JournalFixture.key(), tmp);
  }

  private Path archived(int i) {
    return root.resolve("r1").resolve(local.get(i).getFileName());
  }

  @Test
  void anIntactArchive_verifies() throws Exception {
    AuditVerifier.Result r = verify();

    assertThat(r.ok()).as(r.reason()).isTrue();
    assertThat(r.recordsChecked()).isEqualTo(80);
    assertThat(r.newestCheckpoint()).map(Checkpoint::sequence).contains(80L);
  }

  @Test
  void aChangedByte_isReportedAtItsRecord() throws Exception {
    Path seg = archived(1);
    long first = JournalFormat.firstSequenceOf(seg.getFileName().toString());
    try (JournalReader r = new JournalReader(seg, Long.MAX_VALUE)) {
      r.next(); // header
      JournalReader.RecordFrame rec = (JournalReader.RecordFrame) r.next();
      flipByte(seg, rec.offset() + JournalFormat.FRAME_HEADER + 20);
    }

    AuditVerifier.Result r = verify();

    assertThat(r.ok()).isFalse();
    assertThat(r.firstBrokenSequence()).isEqualTo(first);
  }

  @Test
  void aCutTail_ofTheNewestSegment_isCaughtByItsArchivedCheckpoint() throws Exception {
    Path last = archived(local.size() - 1);
    List<JournalReader.Frame> frames = framesOf(last);
    long cutAt = frames.get(frames.size() - 3).offset(); // drops the last records and the final checkpoint
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(cutAt);
    }

    AuditVerifier.Result r = verify();

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("were cut");
  }

  @Test
  void aMissingCheckpoint_orADeletedMiddleSegment_isBroken() throws Exception {
    Files.delete(root.resolve("r1").resolve(local.get(0).getFileName() + ArchiveStore.CHECKPOINT_SUFFIX));
    assertThat(verify().reason()).contains("has no archived checkpoint");

    store.putCheckpoint("r1", local.get(0).getFileName().toString(),
        ArchiveStoreContract.lastCheckpointOf(local.get(0)));
    Files.delete(archived(1));
    AuditVerifier.Result r = verify();
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("are missing");
  }

  @Test
  void anotherKey_failsTheCheckpointSignatures() throws Exception {
    AuditVerifier.Result r = ArchiveVerifier.verify(store, "r1", AuditKey.of(new byte[AuditKey.BYTES]), tmp);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("bad signature");
  }

  @Test
  void anEmptyArchive_isNotOk() throws Exception {
    AuditVerifier.Result r = ArchiveVerifier.verify(new DirectoryArchive(tmp.resolve("none")), "r1",
        JournalFixture.key(), tmp);

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("holds no segment");
  }

  private static List<JournalReader.Frame> framesOf(Path seg) throws Exception {
    List<JournalReader.Frame> out = new java.util.ArrayList<>();
    try (JournalReader r = new JournalReader(seg, Long.MAX_VALUE)) {
      for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
        out.add(f);
      }
    }
    return out;
  }

  static void flipByte(Path file, long at) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.flip();
      byte v = b.get();
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (v ^ 0x01)}), at);
    }
  }
}
