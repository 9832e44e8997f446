package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ArchiveStore} must do, on a real journal's segments; each implementation's test subclasses this
 * with a factory.
 */
public abstract class ArchiveStoreContract {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir
  protected Path tmp;

  /** A new, empty archive. */
  protected abstract ArchiveStore newStore() throws Exception;

  private List<Path> segments(String replica) throws Exception {
    List<Path> s = JournalFixture.write(tmp.resolve("journal-" + replica), replica, 60, CLOCK, null);
    assertThat(s).hasSizeGreaterThanOrEqualTo(3);
    return s;
  }

  private static Checkpoint checkpoint(String replica, long sequence) {
    return Checkpoint.sign(JournalFixture.key(), replica, sequence, new byte[AuditKey.BYTES], CLOCK.instant());
  }

  @Test
  void put_thenSegments_listsThemOldestFirst_andFetchReturnsTheSameBytes() throws Exception {
    List<Path> local = segments("r1");
    try (ArchiveStore store = newStore()) {
      for (Path s : List.of(local.get(1), local.get(0), local.get(2))) {
        store.put("r1", s);
      }

      assertThat(store.segments("r1")).containsExactly(local.get(0).getFileName().toString(),
          local.get(1).getFileName().toString(), local.get(2).getFileName().toString());
      Path into = Files.createDirectories(tmp.resolve("fetched"));
      Path copy = store.fetch("r1", local.get(1).getFileName().toString(), into);
      assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(local.get(1)));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-------");
    }
  }

  @Test
  void put_again_replacesTheCopy() throws Exception {
    List<Path> local = segments("r1");
    try (ArchiveStore store = newStore()) {
      store.put("r1", local.get(0));
      store.put("r1", local.get(0));
      assertThat(store.segments("r1")).containsExactly(local.get(0).getFileName().toString());
    }
  }

  @Test
  void checkpoints_areStoredNextToTheirSegment() throws Exception {
    List<Path> local = segments("r1");
    String name = local.get(0).getFileName().toString();
    try (ArchiveStore store = newStore()) {
      store.put("r1", local.get(0));
      assertThat(store.checkpoint("r1", name)).isEmpty();

      store.putCheckpoint("r1", name, checkpoint("r1", 24));

      assertThat(store.checkpoint("r1", name)).isEqualTo(Optional.of(checkpoint("r1", 24)));
      assertThat(store.segments("r1")).containsExactly(name);
    }
  }

  @Test
  void replicas_areKeptApart() throws Exception {
    List<Path> a = segments("r1");
    List<Path> b = segments("r2");
    try (ArchiveStore store = newStore()) {
      assertThat(store.replicas()).isEmpty();
      store.put("r2", b.get(0));
      store.put("r1", a.get(0));
      store.put("r1", a.get(1));

      assertThat(store.replicas()).containsExactly("r1", "r2");
      assertThat(store.segments("r1")).hasSize(2);
      assertThat(store.segments("r2")).hasSize(1);
      assertThat(store.segments("r3")).isEmpty();
    }
  }

  @Test
  void fetch_ofAMissingSegment_isNoSuchFile() throws Exception {
    try (ArchiveStore store = newStore()) {
      assertThatThrownBy(() -> store.fetch("r1", JournalFormat.segmentName(1), tmp))
          .isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void invalidNames_areRefused() throws Exception {
    Path odd = Files.writeString(tmp.resolve("notes.txt"), "x");
    try (ArchiveStore store = newStore()) {
      assertThatThrownBy(() -> store.put("r1", odd)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.put("../r1", odd)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.checkpoint("r1", "../x.seg")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void archivedSegmentsAndCheckpoints_verifyOffline() throws Exception {
    List<Path> local = segments("r1");
    try (ArchiveStore store = newStore()) {
      for (Path s : local) {
        store.put("r1", s);
        store.putCheckpoint("r1", s.getFileName().toString(), lastCheckpointOf(s));
      }

      AuditVerifier.Result r = ArchiveVerifier.verify(store, "r1", JournalFixture.key(),
          Files.createDirectories(tmp.resolve("work")));

      assertThat(r.ok()).as(r.reason()).isTrue();
      assertThat(r.recordsChecked()).isEqualTo(60);
      assertThat(r.firstSequence()).isEqualTo(1);
      assertThat(r.lastSequence()).isEqualTo(60);
      assertThat(r.newestCheckpoint()).map(Checkpoint::sequence).contains(60L);
    }
  }

  /** The last checkpoint frame the journal wrote into a segment. */
  protected static Checkpoint lastCheckpointOf(Path segment) throws Exception {
    return JournalFixture.lastCheckpointOf(segment);
  }
}
