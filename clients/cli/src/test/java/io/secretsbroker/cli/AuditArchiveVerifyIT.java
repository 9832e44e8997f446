package io.secretsbroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.audit.DirectoryArchive;
import io.secretsbroker.audit.JournalFixture;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sbctl audit verify --archive}, in-process, on a directory archive of a real journal; no broker runs. */
class AuditArchiveVerifyIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;
  List<Path> segments;

  @BeforeEach
  void archiveAJournal() throws Exception {
    segments = JournalFixture.write(dir.resolve("journal"), "r1", 60, CLOCK, null);
    JournalFixture.archive(new DirectoryArchive(dir.resolve("archive")), "r1", segments);
    JournalFixture.writeKeyFile(dir.resolve("audit.key"));
  }

  private CliRun sbctl(String... args) {
    CliRun run = new CliRun(dir); // no SECRETS_BROKER_ADDR: nothing may try to reach a broker
    return run.run(args);
  }

  @Test
  void anIntactArchive_isOk_withItsRangeAndNewestCheckpoint() {
    CliRun r = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("archive ok: 60 records (replica r1, sequences 1..60), newest checkpoint 60 at "
        + CLOCK.instant() + "\n");
    assertThat(r.err).isEmpty();
  }

  @Test
  void aTamperedSegment_isBroken_namingTheRecord_exit1() throws Exception {
    Path archived = dir.resolve("archive").resolve("r1").resolve(segments.get(1).getFileName());
    long brokenSequence;
    long offset;
    try (JournalReader reader = new JournalReader(archived, Long.MAX_VALUE)) {
      reader.next(); // header
      reader.next(); // first record
      JournalReader.RecordFrame second = (JournalReader.RecordFrame) reader.next();
      brokenSequence = second.record().sequence();
      offset = second.offset() + JournalFormat.FRAME_HEADER + 30;
    }
    flipByte(archived, offset);

    CliRun r = sbctl("audit", "verify", "--archive", dir.resolve("archive").toString(), "--key-file", "audit.key");

    assertThat(r.exit).as(r.toString()).isEqualTo(1);
    assertThat(r.out).startsWith("BROKEN: record " + brokenSequence + ": ").endsWith("(replica r1)\n");
  }

  @Test
  void everyReplica_isVerified_unlessOneIsNamed() throws Exception {
    List<Path> other = JournalFixture.write(dir.resolve("journal-r2"), "r2", 30, CLOCK, null);
    JournalFixture.archive(new DirectoryArchive(dir.resolve("archive")), "r2", other);

    CliRun all = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key");
    CliRun one = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key", "--replica", "r2");

    assertThat(all.exit).as(all.toString()).isZero();
    assertThat(all.out.lines()).hasSize(2).anySatisfy(l -> assertThat(l).contains("60 records (replica r1"))
        .anySatisfy(l -> assertThat(l).contains("30 records (replica r2"));
    assertThat(one.out).startsWith("archive ok: 30 records (replica r2, sequences 1..30)");
    assertThat(sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key", "--replica", "r9").out)
        .startsWith("BROKEN: record 0: the archive").contains("holds no segment of replica 'r9'");
  }

  @Test
  void jsonOutput_onePerReplica() {
    CliRun r = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key", "--json");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out).contains("\"replica\":\"r1\"").contains("\"ok\":true").contains("\"last_sequence\":60");
  }

  @Test
  void anotherKey_isBroken() throws Exception {
    Path wrong = dir.resolve("wrong.key");
    Files.writeString(wrong, "01".repeat(32));
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));

    CliRun r = sbctl("audit", "verify", "--archive", "archive", "--key-file", "wrong.key");

    assertThat(r.exit).isEqualTo(1);
    assertThat(r.out).startsWith("BROKEN: ").contains("bad signature");
  }

  @Test
  void usageAndFileErrors_areCleanMessages() throws Exception {
    assertThat(sbctl("audit", "verify", "--archive", "archive").exit).isEqualTo(2);
    assertThat(sbctl("audit", "verify", "--key-file", "audit.key").exit).isEqualTo(2);
    assertThat(sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key", "--from", "5").exit)
        .isEqualTo(2);
    CliRun badReplica = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key", "--replica",
        "../x");
    assertThat(badReplica.exit).isEqualTo(2);
    assertThat(badReplica.err).startsWith("error: --replica: ");
    CliRun badBucket = sbctl("audit", "verify", "--archive", "s3://Bad_Bucket", "--key-file", "audit.key");
    assertThat(badBucket.exit).isEqualTo(2);
    assertThat(badBucket.err).startsWith("error: --archive: expected a bucket name");

    CliRun missing = sbctl("audit", "verify", "--archive", "nowhere", "--key-file", "audit.key");
    assertThat(missing.exit).isEqualTo(1);
    assertThat(missing.err).isEqualTo("error: --archive nowhere: no such directory\n");

    Files.setPosixFilePermissions(dir.resolve("audit.key"), PosixFilePermissions.fromString("rw-r--r--"));
    CliRun open = sbctl("audit", "verify", "--archive", "archive", "--key-file", "audit.key");
    assertThat(open.exit).isEqualTo(1);
    assertThat(open.err).startsWith("error: --key-file: ").contains("make it 0600").doesNotContain("0707");

    CliRun noKey = sbctl("audit", "verify", "--archive", "archive", "--key-file", "none.key");
    assertThat(noKey.exit).isEqualTo(1);
    assertThat(noKey.err).contains("no such file");
  }

  private static void flipByte(Path file, long at) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 1)}), at);
    }
  }
}
