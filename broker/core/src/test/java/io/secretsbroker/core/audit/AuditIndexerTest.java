package io.secretsbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.JournalFixture;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditIndexerTest {
  @TempDir
  Path dir;

  @Test
  void everyRecordIsIndexed_whenSegmentsCloseWhileTheIndexerReadsThem() throws Exception {
    Clock clock = Clock.systemUTC();
    try (StateStore state = StateStore.open(StateSettings.h2(dir.resolve("state")))) {
      AuditLog audit = AuditLog.open(state, new SimpleMeterRegistry(), JournalFixture.settings(dir.resolve("audit"),
          "r1"), JournalFixture.key(), null, clock, SegmentIo.files(), Duration.ofSeconds(5));
      try {
        for (int round = 0; round < 40; round++) { // 4 KiB segments: a roll every ~25 records, while indexing runs
          List<CompletableFuture<?>> batch = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            batch.add(audit.appendAsync(List.of(JournalFixture.entry(clock.instant(), i))));
          }
          CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get();
        }
        long target = audit.journal().durableSequence();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (audit.indexedSequence() < target && System.nanoTime() < deadline) {
          LockSupport.parkNanos(5_000_000L);
        }

        assertThat(target).isEqualTo(2_000);
        assertThat(audit.indexedSequence()).isEqualTo(target);
        assertThat(audit.index().range("r1", 1, target, 10_000)).as("rows without a gap").hasSize(2_000);
      } finally {
        audit.close();
      }
    }
  }
}
