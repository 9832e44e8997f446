package io.secretsbroker.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies one replica's archived segments offline, with no daemon and no database: {@link AuditVerifier} over the
 * segments oldest first, every archived checkpoint's signature and its match with the record it names, and the
 * newest archived checkpoint as the anchor (so a cut tail of the newest archived segment is caught). Every archived
 * segment must have its checkpoint. Stateless.
 */
public final class ArchiveVerifier {
  private ArchiveVerifier() {}

  /**
   * Verifies {@code replica}'s segments in {@code store}.
   *
   * @param workDir where segments from a remote store are copied (read in place from a directory archive)
   * @return the outcome; not ok when the archive holds no segment of {@code replica}
   * @throws IOException when the archive cannot be listed or a segment or checkpoint cannot be fetched
   */
  public static AuditVerifier.Result verify(ArchiveStore store, String replica, AuditKey key, Path workDir)
      throws IOException {
    List<String> names = store.segments(replica);
    if (names.isEmpty()) {
      return broken(0, "the archive (" + store.describe() + ") holds no segment of replica '" + replica + "'");
    }
    List<Path> files = new ArrayList<>(names.size());
    Map<Long, Checkpoint> checkpoints = new HashMap<>();
    for (String name : names) {
      Optional<Checkpoint> cp = store.checkpoint(replica, name);
      if (cp.isEmpty()) {
        return broken(JournalFormat.firstSequenceOf(name), "segment " + name + " has no archived checkpoint ("
            + name + ArchiveStore.CHECKPOINT_SUFFIX + " is missing)");
      }
      if (!cp.get().verify(key)) {
        return broken(cp.get().sequence(), "the archived checkpoint of segment " + name
            + " has a bad signature (changed, or another audit key)");
      }
      checkpoints.put(cp.get().sequence(), cp.get());
      files.add(store.fetch(replica, name, workDir));
    }
    Optional<Checkpoint> newest = checkpoints.values().stream().max(Comparator.comparingLong(Checkpoint::sequence));
    long[] mismatch = {0};
    AuditVerifier.Result r = AuditVerifier.verify(files, f -> Long.MAX_VALUE, key, replica, newest, 0, 0, record -> {
      Checkpoint c = checkpoints.get(record.sequence());
      if (c != null && mismatch[0] == 0 && !c.mac().equalsIgnoreCase(record.mac())) {
        mismatch[0] = record.sequence();
      }
    });
    if (r.ok() && mismatch[0] != 0) {
      return new AuditVerifier.Result(false, r.recordsChecked(), r.firstSequence(), r.lastSequence(), mismatch[0],
          "record " + mismatch[0] + " differs from its archived checkpoint", r.newestCheckpoint());
    }
    return r;
  }

  private static AuditVerifier.Result broken(long sequence, String reason) {
    return new AuditVerifier.Result(false, 0, 0, 0, Math.max(0, sequence), reason, Optional.empty());
  }
}
