package io.secretsbroker.backend.vault;

import java.util.Map;
import java.util.TreeMap;

/**
 * The stages as last recorded in a secret's {@code custom_metadata}, with the KV version they are up to date with.
 *
 * <p>Keys: {@code sb-stage-current}, {@code sb-stage-previous}, {@code sb-stage-pending} (version numbers; absent
 * when nobody holds the stage), {@code sb-applied} (every KV version up to this one is reflected) and
 * {@code sb-epoch} (the secret's {@code created_time} when the snapshot was taken, so a snapshot left over from a
 * deleted secret of the same name is recognised and ignored). Other keys belong to operators and are kept.
 *
 * @param stages the recorded stages
 * @param applied the highest KV version whose write the stages reflect
 * @param epoch the secret's {@code created_time} the snapshot belongs to
 */
record StageSnapshot(Stages stages, long applied, String epoch) {
  static final String PREFIX = "sb-";
  static final String CURRENT = "sb-stage-current";
  static final String PREVIOUS = "sb-stage-previous";
  static final String PENDING = "sb-stage-pending";
  static final String APPLIED = "sb-applied";
  static final String EPOCH = "sb-epoch";

  /** The snapshot in {@code customMetadata}, or null when there is none or it is unreadable. */
  static StageSnapshot parse(Map<String, String> customMetadata) {
    String applied = customMetadata.get(APPLIED);
    String epoch = customMetadata.get(EPOCH);
    if (applied == null || epoch == null) {
      return null;
    }
    try {
      Stages stages = new Stages(number(customMetadata.get(CURRENT)), number(customMetadata.get(PREVIOUS)),
          number(customMetadata.get(PENDING)));
      long a = Long.parseLong(applied);
      return a < 0 ? null : new StageSnapshot(stages, a, epoch);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long number(String s) {
    if (s == null) {
      return 0;
    }
    long v = Long.parseLong(s);
    if (v <= 0) {
      throw new NumberFormatException("not a version: " + s);
    }
    return v;
  }

  /** {@code existing} with this snapshot's keys replaced (keys of other owners are kept). */
  Map<String, String> mergeInto(Map<String, String> existing) {
    Map<String, String> out = new TreeMap<>();
    existing.forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        out.put(k, v);
      }
    });
    put(out, CURRENT, stages.current());
    put(out, PREVIOUS, stages.previous());
    put(out, PENDING, stages.pending());
    out.put(APPLIED, Long.toString(applied));
    out.put(EPOCH, epoch);
    return out;
  }

  private static void put(Map<String, String> out, String key, long version) {
    if (version != 0) {
      out.put(key, Long.toString(version));
    }
  }
}
