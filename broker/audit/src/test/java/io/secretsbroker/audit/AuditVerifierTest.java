package io.secretsbroker.audit;

import static io.secretsbroker.audit.Journals.KEY;
import static io.secretsbroker.audit.Journals.REPLICA;
import static io.secretsbroker.audit.Journals.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tampering with a closed journal, and what the verifier says about it. */
class AuditVerifierTest {
  @TempDir
  Path root;

  private Path dir;
  private Path segment;
  private DirectoryAnchor anchor;

  /** Twenty records in one segment, the last one anchored at close. */
  private void writeTwenty() throws Exception {
    dir = root.resolve("journal");
    anchor = new DirectoryAnchor(root.resolve("anchor"));
    try (AuditJournal j = AuditJournal.open(Journals.settings(dir), KEY, anchor, Journals.CLOCK, SegmentIo.files(),
        null)) {
      Journals.appendRange(j, 1, 20);
    }
    segment = dir.resolve(JournalFormat.segmentName(1));
    assertThat(JournalReader.segments(dir)).containsExactly(segment);
  }

  private Journals.Verified verify() throws Exception {
    return Journals.verify(dir, KEY, Optional.empty());
  }

  private static void assertBroken(Journals.Verified v, long firstBroken, String... reason) {
    assertThat(v.result().ok()).isFalse();
    assertThat(v.result().firstBrokenSequence()).as(v.result().reason()).isEqualTo(firstBroken);
    assertThat(v.result().reason()).contains(reason);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, firstBroken - 1));
    assertThat(v.result().recordsChecked()).isEqualTo(firstBroken - 1);
  }

  /** The segment's bytes with one character of record {@code seq}'s name changed. */
  private byte[] withNameOfRecordEdited(long seq) throws Exception {
    JournalReader.RecordFrame frame = Journals.recordFrame(segment, seq);
    byte[] bytes = Files.readAllBytes(segment);
    int at = Journals.indexOf(bytes, ("db/password-" + seq).getBytes(StandardCharsets.UTF_8), (int) frame.offset());
    bytes[at + 3] = 'P';
    return bytes;
  }

  @Test
  void verify_intactJournal_isOkWithEveryRecordAndTheAnchoredCheckpoint() throws Exception {
    writeTwenty();

    Journals.Verified v = Journals.verify(dir, KEY, anchor.latest(REPLICA));

    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().reason()).isEmpty();
    assertThat(v.result().recordsChecked()).isEqualTo(20);
    assertThat(v.result().firstSequence()).isEqualTo(1);
    assertThat(v.result().lastSequence()).isEqualTo(20);
    assertThat(v.result().firstBrokenSequence()).isZero();
    assertThat(v.result().newestCheckpoint()).isEqualTo(anchor.latest(REPLICA)).map(Checkpoint::sequence)
        .hasValue(20L);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 20));
  }

  @Test
  void verify_recordEditedAndItsCrcFixedUp_reportsAMacMismatchAtThatRecord() throws Exception {
    writeTwenty();
    byte[] bytes = withNameOfRecordEdited(7);
    Journals.fixCrc(bytes, Journals.recordFrame(segment, 7).offset());
    Journals.write(segment, bytes);

    assertThat(Journals.recordFrame(segment, 7).record().entry().name()).isEqualTo("db/Password-7");
    assertBroken(verify(), 7, "record 7 was changed after it was written (MAC mismatch)");
  }

  @Test
  void verify_recordEditedWithoutFixingItsCrc_reportsItDamaged() throws Exception {
    writeTwenty();
    long offset = Journals.recordFrame(segment, 7).offset();
    Journals.write(segment, withNameOfRecordEdited(7));

    assertBroken(verify(), 7, "the frame after record 6 is damaged", "CRC mismatch at offset " + offset);
  }

  @Test
  void verify_recordFrameSplicedOut_reportsItMissing() throws Exception {
    writeTwenty();
    long offset = Journals.recordFrame(segment, 7).offset();
    byte[] bytes = Files.readAllBytes(segment);
    int length = Journals.frameLength(bytes, offset);
    Journals.write(segment, Journals.concat(Journals.slice(bytes, 0, offset),
        Journals.slice(bytes, offset + length, bytes.length)));

    assertBroken(verify(), 7, "record 7 is missing");
  }

  @Test
  void verify_recordFrameDuplicated_reportsTheInsertion() throws Exception {
    writeTwenty();
    long offset = Journals.recordFrame(segment, 7).offset();
    byte[] bytes = Files.readAllBytes(segment);
    long end = offset + Journals.frameLength(bytes, offset);
    Journals.write(segment, Journals.concat(Journals.slice(bytes, 0, end), Journals.slice(bytes, offset, end),
        Journals.slice(bytes, end, bytes.length)));

    Journals.Verified v = verify();

    assertThat(v.result().ok()).isFalse();
    assertThat(v.result().firstBrokenSequence()).isEqualTo(7);
    assertThat(v.result().reason()).isEqualTo("record 7 appears again after record 7 (inserted)");
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 7));
  }

  @Test
  void verify_tailCutBelowTheAnchoredCheckpoint_reportsTheCutRecords() throws Exception {
    writeTwenty();
    long offset = Journals.recordFrame(segment, 16).offset();
    Journals.write(segment, Journals.slice(Files.readAllBytes(segment), 0, offset));
    Journals.Verified withoutAnchor = verify();
    assertThat(withoutAnchor.result().ok()).as("a clean cut is invisible without an anchor").isTrue();

    Journals.Verified v = Journals.verify(dir, KEY, anchor.latest(REPLICA));

    assertBroken(v, 16, "the journal ends at record 15 but the anchor holds a checkpoint at record 20: records"
        + " 16..20 were cut");
    assertThat(v.result().lastSequence()).isEqualTo(15);
  }

  @Test
  void verify_wrongKey_failsAtTheFirstRecord() throws Exception {
    writeTwenty();

    Journals.Verified v = Journals.verify(dir, Journals.OTHER_KEY, Optional.empty());

    assertBroken(v, 1, "does not start this replica's chain (wrong key or replica)");
  }

  @Test
  void verify_anchoredCheckpointLineWithAnEditedSequence_reportsABadSignature() throws Exception {
    writeTwenty();
    Path anchorFile = root.resolve("anchor").resolve(REPLICA + ".checkpoints");
    List<String> lines = new ArrayList<>(Files.readAllLines(anchorFile));
    String last = lines.get(lines.size() - 1);
    assertThat(last).startsWith("20 ");
    lines.set(lines.size() - 1, "19" + last.substring(2));
    Files.write(anchorFile, lines);

    Journals.Verified v = Journals.verify(dir, KEY, anchor.latest(REPLICA));

    assertThat(v.result().ok()).isFalse();
    assertThat(v.result().firstBrokenSequence()).isEqualTo(19);
    assertThat(v.result().reason()).isEqualTo("the anchored checkpoint at record 19 has a bad signature");
  }

  @Test
  void verify_rangeStartingInALaterSegment_visitsExactlyTheRecordsInRange() throws Exception {
    dir = root.resolve("journal");
    AuditJournal.Settings small = new AuditJournal.Settings(dir, REPLICA, 4096, Journals.NO_PERIODIC_CHECKPOINT, 64);
    try (AuditJournal j = AuditJournal.open(small, KEY, null, Journals.CLOCK, SegmentIo.files(), null)) {
      Journals.appendRange(j, 1, 200);
    }
    List<Path> segments = JournalReader.segments(dir);
    assertThat(segments).hasSizeGreaterThanOrEqualTo(4);
    long third = ((JournalReader.HeaderFrame) Journals.frames(segments.get(2)).get(0)).header().firstSequence();
    long from = third + 2;
    long to = from + 60;

    Journals.Verified v = Journals.verify(dir, KEY, Optional.empty(), from, to);

    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.visited()).containsExactlyElementsOf(seqs(from, to));
    assertThat(v.result().recordsChecked()).isEqualTo(61);
    Journals.Verified head = Journals.verify(dir, KEY, Optional.empty(), 0, 5);
    assertThat(head.visited()).containsExactlyElementsOf(seqs(1, 5));
  }

  @Test
  void verify_noSegments_isOkWithNoRecords() {
    AuditVerifier.Result r = AuditVerifier.verify(List.of(), p -> Long.MAX_VALUE, KEY, REPLICA, Optional.empty(), 0,
        0, rec -> {
          throw new AssertionError("no record to visit");
        });

    assertThat(r).isEqualTo(new AuditVerifier.Result(true, 0, 0, 0, 0, "", Optional.empty()));
  }
}
