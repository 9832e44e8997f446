package io.secretsbroker.audit;

import static io.secretsbroker.audit.Journals.KEY;
import static io.secretsbroker.audit.Journals.await;
import static io.secretsbroker.audit.Journals.entry;
import static io.secretsbroker.audit.Journals.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What open finds after a crash: a torn tail, a half-made segment, a damaged frame. */
class JournalRecoveryTest {
  @TempDir
  Path dir;

  private Path writeTen() throws Exception {
    try (AuditJournal j = Journals.open(dir)) {
      Journals.appendRange(j, 1, 10);
    }
    return dir.resolve(JournalFormat.segmentName(1));
  }

  private void assertVerifies(long records) throws IOException {
    Journals.Verified v = Journals.verify(dir, KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(records);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, records));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 8, 40})
  void open_garbageHalfFrameAtTheTail_isCutAndTheSequenceContinues(int garbageBytes) throws Exception {
    Path segment = writeTen();
    long intact = Files.size(segment);
    ByteBuffer garbage = ByteBuffer.allocate(garbageBytes);
    byte[] header = ByteBuffer.allocate(8).putInt(200).putInt(0x1234_5678).array(); // a frame promising 200 bytes
    garbage.put(header, 0, Math.min(8, garbageBytes));
    while (garbage.hasRemaining()) {
      garbage.put((byte) 0x5A);
    }
    Files.write(segment, garbage.array(), StandardOpenOption.APPEND);

    try (AuditJournal j = Journals.open(dir)) {
      assertThat(Files.size(segment)).isEqualTo(intact);
      assertThat(j.durableSequence()).isEqualTo(10);
      assertThat(Journals.appendRange(j, 11, 12)).containsExactly(11L, 12L);
    }

    assertThat(JournalReader.segments(dir)).containsExactly(segment);
    assertVerifies(12);
  }

  @Test
  void open_lastRecordCutInHalf_dropsItAndReusesItsSequence() throws Exception {
    Path segment = writeTen();
    JournalReader.RecordFrame last = Journals.recordFrame(segment, 10);
    byte[] bytes = Files.readAllBytes(segment);
    int half = Journals.frameLength(bytes, last.offset()) / 2;
    Journals.write(segment, Journals.slice(bytes, 0, last.offset() + half));

    try (AuditJournal j = Journals.open(dir)) {
      assertThat(j.durableSequence()).isEqualTo(9);
      assertThat(Files.size(segment)).isEqualTo(last.offset());
      assertThat(await(j.append(entry(99))).sequence()).isEqualTo(10);
    }

    assertVerifies(10);
    assertThat(Journals.records(dir)).extracting(r -> r.entry().requestId()).endsWith("req-9", "req-99");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 6, 20})
  void open_newestSegmentWithATruncatedHeaderOnly_isRemoved(int headerBytes) throws Exception {
    Path segment = writeTen();
    Path torn = dir.resolve(JournalFormat.segmentName(11));
    Journals.write(torn, Arrays.copyOf(Files.readAllBytes(segment), headerBytes));

    try (AuditJournal j = Journals.open(dir)) {
      assertThat(Files.exists(torn)).isFalse();
      assertThat(j.durableSequence()).isEqualTo(10);
      assertThat(Journals.appendRange(j, 11, 11)).containsExactly(11L);
    }

    assertThat(JournalReader.segments(dir)).containsExactly(segment);
    assertVerifies(11);
  }

  @Test
  void open_damagedFrameInsideASegment_keepsItForTheVerifierAndWritesANewSegment() throws Exception {
    Path segment = writeTen();
    JournalReader.RecordFrame fifth = Journals.recordFrame(segment, 5);
    byte[] bytes = Files.readAllBytes(segment);
    int at = Journals.indexOf(bytes, "db/password-5".getBytes(), (int) fifth.offset());
    bytes[at] ^= 0x20; // the CRC no longer matches
    Journals.write(segment, bytes);

    try (AuditJournal j = Journals.open(dir)) {
      assertThat(Journals.appendRange(j, 11, 11)).containsExactly(11L);
    }

    assertThat(Files.readAllBytes(segment)).isEqualTo(bytes);
    assertThat(JournalReader.segments(dir)).containsExactly(segment, dir.resolve(JournalFormat.segmentName(11)));
    Journals.Verified v = Journals.verify(dir, KEY, Optional.empty());
    assertThat(v.result().ok()).isFalse();
    assertThat(v.result().firstBrokenSequence()).isEqualTo(5);
    assertThat(v.result().reason()).contains("damaged", "CRC mismatch");
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 4));
    assertThat(Journals.frames(dir.resolve(JournalFormat.segmentName(11))))
        .filteredOn(f -> f instanceof JournalReader.RecordFrame)
        .extracting(f -> ((JournalReader.RecordFrame) f).record().sequence()).containsExactly(11L);
  }

  @Test
  void open_segmentDamagedBeforeItsFirstIntactRecord_isRefusedAndNeverOverwritten() throws Exception {
    try (AuditJournal j = Journals.open(dir)) {
      Journals.appendRange(j, 1, 1); // the close checkpoint follows it, so its damage is not a torn tail
    }
    Path segment = dir.resolve(JournalFormat.segmentName(1));
    JournalReader.RecordFrame only = Journals.recordFrame(segment, 1);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[Journals.indexOf(bytes, "db/password-1".getBytes(), (int) only.offset())] ^= 0x20;
    Journals.write(segment, bytes);

    assertThatThrownBy(() -> Journals.open(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining(segment.getFileName().toString()).hasMessageContaining("damaged");

    assertThat(Files.readAllBytes(segment)).isEqualTo(bytes);
    Journals.Verified v = Journals.verify(dir, KEY, Optional.empty());
    assertThat(v.result().ok()).isFalse();
    assertThat(v.result().firstBrokenSequence()).isEqualTo(1);
  }
}
