package io.secretsbroker.core.audit;

import static io.secretsbroker.core.audit.AuditFixtures.AWAIT_SECONDS;
import static io.secretsbroker.core.audit.AuditFixtures.GET;
import static io.secretsbroker.core.audit.AuditFixtures.KEY;
import static io.secretsbroker.core.audit.AuditFixtures.access;
import static io.secretsbroker.core.audit.AuditFixtures.await;
import static io.secretsbroker.core.audit.AuditFixtures.everything;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.AuditUnavailableException;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the journal cannot write (a full disk), {@link AuditLog} refuses: appends fail, the health gauge reads 0
 * and the failure counter counts every refused record; once writes succeed again it serves and reads 1.
 */
class AuditLogFailClosedTest {
  @TempDir
  Path dir;
  StateStore store;
  AuditLog log;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final DiskFull disk = new DiskFull();

  /** {@link SegmentIo#files()} whose writes fail with "No space left on device" while {@link #full} is set. */
  static final class DiskFull implements SegmentIo {
    private final SegmentIo files = SegmentIo.files();
    final AtomicBoolean full = new AtomicBoolean();

    @Override
    public SegmentFile open(Path file) throws IOException {
      SegmentFile f = files.open(file);
      return new SegmentFile() {
        @Override
        public void write(ByteBuffer data, long position) throws IOException {
          if (full.get()) {
            throw new IOException("No space left on device");
          }
          f.write(data, position);
        }

        @Override
        public void force() throws IOException {
          f.force();
        }

        @Override
        public void truncate(long size) throws IOException {
          f.truncate(size);
        }

        @Override
        public long size() throws IOException {
          return f.size();
        }

        @Override
        public void close() throws IOException {
          f.close();
        }
      };
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      files.syncDirectory(d);
    }
  }

  @BeforeEach
  void open() throws IOException {
    store = StateStore.open(StateSettings.h2(dir));
    log = AuditFixtures.open(store, registry, dir.resolve("journal"), "r1", KEY, disk);
  }

  @AfterEach
  void close() {
    disk.full.set(false);
    log.close();
    store.close();
  }

  private double healthy() {
    return registry.get("secrets.audit.journal.healthy").gauge().value();
  }

  private double failures() {
    return registry.get("secrets.audit.write.failures").counter().count();
  }

  private static AuditEntry read(int i) {
    return access("token:alice", GET, "app/s" + i, "OK", i).build();
  }

  @Test
  void whileWritesFail_appendAsyncCompletesExceptionally_andAppendThrowsUnavailable() {
    disk.full.set(true);

    CompletableFuture<List<AuditRecord>> refused = log.appendAsync(List.of(read(1), read(2)));
    assertThatThrownBy(() -> refused.get(AWAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AuditUnavailableException.class).hasRootCauseMessage("No space left on device");
    assertThatThrownBy(() -> log.append(read(3))).isInstanceOfSatisfying(BrokerException.class,
        e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE));
  }

  @Test
  void theHealthGauge_readsZeroWhileWritesFail_andOneAfterAWriteSucceedsAgain() throws Exception {
    log.append(read(1));
    assertThat(healthy()).isEqualTo(1.0);

    disk.full.set(true);
    assertThatThrownBy(() -> log.append(read(2))).isInstanceOf(BrokerException.class);
    assertThat(healthy()).isEqualTo(0.0);
    assertThatThrownBy(() -> log.append(read(3))).isInstanceOf(BrokerException.class);
    assertThat(healthy()).as("still failing").isEqualTo(0.0);

    disk.full.set(false);
    assertThat(healthy()).as("no write has succeeded yet").isEqualTo(0.0);
    AuditRecord next = await(log.journal().append(read(4)));
    assertThat(healthy()).isEqualTo(1.0);
    assertThat(next.sequence()).as("refused records left no sequence behind").isEqualTo(2);
  }

  @Test
  void theFailureCounter_countsEveryRefusedRecord_andRefusedRecordsLeaveNoTrace() throws Exception {
    assertThat(failures()).isZero();
    disk.full.set(true);
    CompletableFuture<List<AuditRecord>> batch = log.appendAsync(List.of(read(1), read(2), read(3)));
    assertThatThrownBy(() -> batch.get(AWAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(failures()).isEqualTo(3.0);
    assertThatThrownBy(() -> log.append(read(4))).isInstanceOf(BrokerException.class);
    assertThat(failures()).isEqualTo(4.0);

    disk.full.set(false);
    List<AuditRecord> written = await(log.appendAsync(List.of(read(5), read(6))));

    assertThat(failures()).isEqualTo(4.0);
    assertThat(written).extracting(AuditRecord::sequence).containsExactly(1L, 2L);
    assertThat(log.query(everything(100))).extracting(r -> r.entry().name()).containsExactly("app/s6", "app/s5");
    assertThat(log.verify(0, 0)).singleElement().satisfies(v -> assertThat(v.ok()).as(v.reason()).isTrue());
  }
}
