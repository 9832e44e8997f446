package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DirectoryArchiveTest extends ArchiveStoreContract {
  private int n;

  @Override
  protected ArchiveStore newStore() {
    return new DirectoryArchive(tmp.resolve("archive-" + n++));
  }

  @Test
  void layout_isReplicaFolderWithSegmentAndCheckpoint_ownerOnly_noTemporaryFilesLeft() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);
    List<Path> local = JournalFixture.write(tmp.resolve("journal"), "r1", 30, clock, null);
    Path root = tmp.resolve("archive");
    ArchiveStore store = new DirectoryArchive(root);
    String name = local.get(0).getFileName().toString();

    store.put("r1", local.get(0));
    store.putCheckpoint("r1", name, lastCheckpointOf(local.get(0)));

    try (Stream<Path> files = Files.list(root.resolve("r1"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(name, name + ArchiveStore.CHECKPOINT_SUFFIX);
    }
    assertThat(mode(root.resolve("r1"))).isEqualTo("rwx------");
    assertThat(mode(root.resolve("r1").resolve(name))).isEqualTo("rw-------");
    assertThat(mode(root.resolve("r1").resolve(name + ArchiveStore.CHECKPOINT_SUFFIX))).isEqualTo("rw-------");
    assertThat(Files.readString(root.resolve("r1").resolve(name + ArchiveStore.CHECKPOINT_SUFFIX)))
        .isEqualTo(lastCheckpointOf(local.get(0)).toLine() + "\n");
  }

  @Test
  void fetch_readsTheArchivedFileInPlace() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);
    List<Path> local = JournalFixture.write(tmp.resolve("journal"), "r1", 10, clock, null);
    Path root = tmp.resolve("archive");
    ArchiveStore store = new DirectoryArchive(root);
    store.put("r1", local.get(0));
    Path into = Files.createDirectories(tmp.resolve("into"));

    Path fetched = store.fetch("r1", local.get(0).getFileName().toString(), into);

    assertThat(fetched).isEqualTo(root.resolve("r1").resolve(local.get(0).getFileName()));
    try (Stream<Path> s = Files.list(into)) {
      assertThat(s).isEmpty();
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
