package io.secretsbroker.backend.azure;

import io.secretsbroker.spi.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The versions of one Key Vault secret as the broker sees them, with each stage resolved from the versions' tags.
 *
 * <p>Key Vault has tags per version and nothing per secret, and changes one version per request. Stages are
 * therefore kept as <em>claims</em>: tag {@code sb-stage-<stage>} on some version says "from generation
 * {@code g} on, {@code stage} belongs to ...", with the value {@code g} (this version), {@code g:<version id>}
 * (that version) or {@code g:} (no version). For each stage the claim with the highest generation wins (ties go
 * to the claim on the newest version), so every change of stages is one request that writes one claim with a
 * generation higher than any before — a put writes "current is me, previous is the old current" on the new
 * version; a move or clear writes onto the version concerned. Claims that lost are never read again, so a crash
 * between two requests cannot leave two versions holding a stage.
 *
 * <p>Every version the broker writes also carries {@code sb-name} (the broker name, so a secret the broker did
 * not write is never taken for one of its own) and {@code sb-seq} (its generation, which orders versions, since
 * Key Vault's timestamps have whole seconds and its version ids are random).
 *
 * <p>Immutable.
 */
final class SecretState {
  /** Tag holding the broker name. */
  static final String TAG_NAME = "sb-name";
  /** Tag holding the generation a version was written at. */
  static final String TAG_SEQ = "sb-seq";
  /** Prefix of the stage-claim tags; the stage word follows. */
  static final String TAG_STAGE_PREFIX = "sb-stage-";

  /**
   * One version as listed by Key Vault.
   *
   * @param id the version id
   * @param created when Key Vault created it
   * @param tags its tags (never null)
   */
  record Version(String id, Instant created, Map<String, String> tags) {
    Version {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(created, "created");
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** The generation this version was written at; 0 for versions the broker did not write. */
    long seq() {
      return parseGeneration(tags.get(TAG_SEQ));
    }
  }

  /** A stage claim: from {@code generation} on, the stage belongs to {@code holder} (null: to none). */
  record Claim(long generation, String holder) {}

  private static final Comparator<Version> OLDEST_FIRST = Comparator.comparingLong(Version::seq)
      .thenComparing(Version::created)
      .thenComparing(Version::id);

  private final String name;
  private final List<Version> versions;
  private final Map<Stage, String> holders;
  private final long maxGeneration;

  private SecretState(String name, List<Version> versions) {
    this.name = name;
    List<Version> sorted = new ArrayList<>(versions);
    sorted.sort(OLDEST_FIRST);
    this.versions = List.copyOf(sorted);
    long max = 0;
    for (Version v : sorted) {
      max = Math.max(max, v.seq());
      for (Stage s : Stage.values()) {
        Claim c = claimOn(v, s);
        if (c != null) {
          max = Math.max(max, c.generation());
        }
      }
    }
    this.maxGeneration = max;
    this.holders = resolve(sorted);
  }

  /**
   * The state of broker secret {@code name} from the versions Key Vault listed (in any order).
   *
   * @param name the broker name
   * @param versions every version of the Key Vault secret; empty when it does not exist
   */
  static SecretState of(String name, List<Version> versions) {
    return new SecretState(name, versions);
  }

  /** Whether Key Vault has a secret under the mapped name. */
  boolean exists() {
    return !versions.isEmpty();
  }

  /** Whether the secret exists and the broker wrote it (a version carries {@code sb-name} = the broker name). */
  boolean managed() {
    return versions.stream().anyMatch(v -> name.equals(v.tags().get(TAG_NAME)));
  }

  /** Every version, oldest first. */
  List<Version> versions() {
    return versions;
  }

  /** The version {@code id}, if the secret has it. */
  Optional<Version> find(String id) {
    return versions.stream().filter(v -> v.id().equals(id)).findFirst();
  }

  /** The id of the version holding {@code stage}, or null when none does. */
  String holder(Stage stage) {
    return holders.get(stage);
  }

  /** The stages version {@code id} holds. */
  Set<Stage> stagesOf(String id) {
    EnumSet<Stage> stages = EnumSet.noneOf(Stage.class);
    holders.forEach((stage, holder) -> {
      if (holder.equals(id)) {
        stages.add(stage);
      }
    });
    return stages;
  }

  /** A generation higher than every one in use. */
  long nextGeneration() {
    return maxGeneration + 1;
  }

  /**
   * The tags of a new version written at {@code generation} with {@code stage}: current (a put, which makes the
   * old current previous) or pending.
   */
  Map<String, String> newVersionTags(Stage stage, long generation) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_NAME, name);
    tags.put(TAG_SEQ, Long.toString(generation));
    if (stage == Stage.CURRENT) {
      tags.put(tagOf(Stage.CURRENT), Long.toString(generation));
      String oldCurrent = holder(Stage.CURRENT);
      tags.put(tagOf(Stage.PREVIOUS), generation + ":" + (oldCurrent == null ? "" : oldCurrent));
    } else {
      tags.put(tagOf(stage), Long.toString(generation));
    }
    return tags;
  }

  /**
   * The new tags of {@code target} when it is given {@code stage} at {@code generation}, or empty when nothing
   * changes. Moving current also makes the old current previous and takes pending from {@code target}.
   */
  Optional<Map<String, String>> tagsForMove(Version target, Stage stage, long generation) {
    String id = target.id();
    Map<String, String> tags = new HashMap<>(target.tags());
    boolean changed = false;
    if (!id.equals(holder(stage))) {
      tags.put(tagOf(stage), Long.toString(generation));
      if (stage == Stage.CURRENT) {
        String oldCurrent = holder(Stage.CURRENT);
        tags.put(tagOf(Stage.PREVIOUS), generation + ":" + (oldCurrent == null ? "" : oldCurrent));
      }
      changed = true;
    }
    if (stage == Stage.CURRENT && id.equals(holder(Stage.PENDING))) {
      tags.put(tagOf(Stage.PENDING), generation + ":");
      changed = true;
    }
    return changed ? Optional.of(tags) : Optional.empty();
  }

  /** The new tags of {@code holder}, the version holding {@code stage}, when that stage goes to none. */
  static Map<String, String> tagsForClear(Version holder, Stage stage, long generation) {
    Map<String, String> tags = new HashMap<>(holder.tags());
    tags.put(tagOf(stage), generation + ":");
    return tags;
  }

  /** The tag key of {@code stage}'s claims. */
  static String tagOf(Stage stage) {
    return TAG_STAGE_PREFIX + stage.word();
  }

  /** The claim on {@code stage} that {@code v} carries, or null when it carries none or an unreadable one. */
  static Claim claimOn(Version v, Stage stage) {
    String text = v.tags().get(tagOf(stage));
    if (text == null) {
      return null;
    }
    int colon = text.indexOf(':');
    long generation = parseGeneration(colon < 0 ? text : text.substring(0, colon));
    if (generation <= 0) {
      return null;
    }
    if (colon < 0) {
      return new Claim(generation, v.id());
    }
    String holder = text.substring(colon + 1);
    return new Claim(generation, holder.isEmpty() ? null : holder);
  }

  private Map<Stage, String> resolve(List<Version> oldestFirst) {
    Map<Stage, String> result = new EnumMap<>(Stage.class);
    for (Stage stage : Stage.values()) {
      Claim best = null;
      for (Version v : oldestFirst) {
        Claim c = claimOn(v, stage);
        if (c != null && (best == null || c.generation() >= best.generation())) {
          best = c;
        }
      }
      if (best != null && best.holder() != null && find(best.holder()).isPresent()) {
        result.put(stage, best.holder());
      }
    }
    return result;
  }

  private static long parseGeneration(String text) {
    if (text == null || text.isEmpty() || text.length() > 18) {
      return 0;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return 0;
      }
    }
    return Long.parseLong(text);
  }
}
