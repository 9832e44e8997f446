package io.secretsbroker.cli;

import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.ArchiveVerifier;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.DirectoryArchive;
import io.secretsbroker.audit.Replicas;
import io.secretsbroker.audit.s3.S3Location;
import io.secretsbroker.audit.s3.S3Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code sbctl audit verify --archive}: verifies archived journal segments offline, without a broker — a directory
 * archive in place, an S3 archive downloaded into a temporary folder (0700, removed afterwards). One line per replica;
 * {@link Sbctl#FAILED} when any replica's archive is broken or cannot be read.
 */
final class ArchiveVerification {
  private final BaseCommand command;

  ArchiveVerification(BaseCommand command) {
    this.command = command;
  }

  int run(String location, Path keyFile, String replica, boolean json) {
    AuditKey key = loadKey(command.root().resolve(keyFile));
    try (ArchiveStore store = open(location)) {
      List<String> replicas = replicas(store, replica);
      boolean allOk = true;
      for (String r : replicas) {
        AuditVerifier.Result result = verify(store, r, key);
        allOk &= result.ok();
        print(r, result, json);
      }
      return allOk ? Sbctl.OK : Sbctl.FAILED;
    } catch (IOException e) {
      throw new CliException("the archive cannot be read: " + e.getMessage());
    }
  }

  private static AuditKey loadKey(Path file) {
    try {
      return AuditKey.load(file);
    } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
      throw new CliException("--key-file " + file + ": " + Fmt.reason(e));
    } catch (IOException e) {
      throw new CliException("--key-file: " + e.getMessage());
    }
  }

  private ArchiveStore open(String location) {
    if (S3Location.isS3(location)) {
      try {
        return S3Stores.archive(location, command.io().env);
      } catch (IllegalArgumentException e) {
        throw new CliException("--archive: " + e.getMessage(), Sbctl.USAGE);
      }
    }
    Path dir = command.root().resolve(Path.of(location));
    if (!Files.isDirectory(dir)) {
      throw new CliException("--archive " + location + ": no such directory");
    }
    return new DirectoryArchive(dir);
  }

  private static List<String> replicas(ArchiveStore store, String replica) throws IOException {
    if (replica != null) {
      try {
        return List.of(Replicas.requireValid(replica));
      } catch (IllegalArgumentException e) {
        throw new CliException("--replica: " + e.getMessage(), Sbctl.USAGE);
      }
    }
    List<String> all = store.replicas();
    if (all.isEmpty()) {
      throw new CliException("the archive (" + store.describe() + ") holds no audit segments");
    }
    return all;
  }

  private static AuditVerifier.Result verify(ArchiveStore store, String replica, AuditKey key) throws IOException {
    Path work = Files.createTempDirectory("sbctl-audit-verify-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      return ArchiveVerifier.verify(store, replica, key, work);
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void print(String replica, AuditVerifier.Result r, boolean json) {
    if (json) {
      Map<String, Object> o = Json.object();
      o.put("replica", replica);
      o.put("ok", r.ok());
      o.put("records_checked", r.recordsChecked());
      o.put("first_sequence", r.firstSequence());
      o.put("last_sequence", r.lastSequence());
      o.put("first_broken_sequence", r.firstBrokenSequence());
      o.put("reason", r.reason());
      o.put("newest_checkpoint_sequence", r.newestCheckpoint().map(c -> c.sequence()).orElse(0L));
      o.put("newest_checkpoint_time", r.newestCheckpoint().map(c -> c.time()).orElse(null));
      command.println(Json.write(o));
    } else if (r.ok()) {
      command.println("archive ok: " + r.recordsChecked() + " records (replica " + replica + ", sequences "
          + r.firstSequence() + ".." + r.lastSequence() + "), newest checkpoint "
          + r.newestCheckpoint().map(c -> c.sequence() + " at " + c.time()).orElse("none"));
    } else {
      command.println("BROKEN: record " + r.firstBrokenSequence() + ": " + r.reason() + " (replica " + replica + ")");
    }
  }

}
