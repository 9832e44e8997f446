package io.secretsbroker.audit;

import static io.secretsbroker.audit.Journals.KEY;
import static io.secretsbroker.audit.Journals.await;
import static io.secretsbroker.audit.Journals.entry;
import static io.secretsbroker.audit.Journals.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A full disk or a failing fsync refuses the records of that moment, leaves nothing behind, and heals by itself. */
class JournalDiskFullTest {
  @TempDir
  Path dir;

  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicInteger recovered = new AtomicInteger();
  private final AuditJournal.Listener listener = new AuditJournal.Listener() {
    @Override
    public void writeFailed(IOException cause, int records) {
      failures.add(cause.getMessage() + " / " + records);
    }

    @Override
    public void recovered() {
      recovered.incrementAndGet();
    }
  };

  @ParameterizedTest
  @EnumSource(value = FaultySegmentIo.Fault.class, names = {"WRITE", "FORCE"})
  void append_whileDiskIsFull_failsCutsTheFileBackAndRecoversWithoutAGap(FaultySegmentIo.Fault fault)
      throws Exception {
    FaultySegmentIo io = new FaultySegmentIo();
    Path segment = dir.resolve(JournalFormat.segmentName(1));
    try (AuditJournal j = AuditJournal.open(Journals.settings(dir), KEY, null, Journals.CLOCK, io, listener)) {
      assertThat(Journals.appendRange(j, 1, 5)).containsExactlyElementsOf(seqs(1, 5));
      long durableSize = Files.size(segment);
      io.fault = fault;

      for (int i = 100; i < 103; i++) {
        CompletableFuture<AuditRecord> refused = j.append(entry(i));
        assertThat(refused).failsWithin(Duration.ofSeconds(Journals.AWAIT_SECONDS))
            .withThrowableOfType(ExecutionException.class).havingCause()
            .isInstanceOf(AuditUnavailableException.class)
            .withMessage("the audit record could not be made durable; request refused")
            .havingCause().withMessage("No space left on device");
        assertThat(Files.size(segment)).as("no partial record left").isEqualTo(durableSize);
      }
      CompletableFuture<List<AuditRecord>> refusedBatch = j.appendAll(List.of(entry(103), entry(104)));
      assertThat(refusedBatch).failsWithin(Duration.ofSeconds(Journals.AWAIT_SECONDS))
          .withThrowableOfType(ExecutionException.class).havingCause()
          .isInstanceOf(AuditUnavailableException.class);
      assertThat(Files.size(segment)).isEqualTo(durableSize);
      assertThat(j.healthy()).isFalse();
      assertThat(j.durableSequence()).isEqualTo(5);
      assertThat(recovered).hasValue(0);

      io.fault = FaultySegmentIo.Fault.NONE;
      assertThat(Journals.appendRange(j, 6, 10)).containsExactlyElementsOf(seqs(6, 10));
      assertThat(j.healthy()).isTrue();
    }

    assertThat(io.failures).hasValue(4);
    assertThat(failures).containsExactly("No space left on device / 1", "No space left on device / 1",
        "No space left on device / 1", "No space left on device / 2");
    assertThat(recovered).hasValue(1);
    assertThat(Journals.records(dir)).extracting(r -> r.entry().requestId())
        .containsExactly("req-1", "req-2", "req-3", "req-4", "req-5", "req-6", "req-7", "req-8", "req-9", "req-10");
    Journals.Verified v = Journals.verify(dir, KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(10);
    assertThat(v.visited()).containsExactlyElementsOf(seqs(1, 10));
  }
}
