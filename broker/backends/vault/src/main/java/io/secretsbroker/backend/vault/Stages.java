package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.Stage;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which KV version holds each stage; {@code 0} means nobody. Immutable; every change returns a new value and keeps
 * the SPI's stage rules.
 *
 * @param current the version holding {@link Stage#CURRENT}, or 0
 * @param previous the version holding {@link Stage#PREVIOUS}, or 0
 * @param pending the version holding {@link Stage#PENDING}, or 0
 */
record Stages(long current, long previous, long pending) {
  /** Nobody holds any stage. */
  static final Stages NONE = new Stages(0, 0, 0);

  /** The version holding {@code stage}, or 0. */
  long holder(Stage stage) {
    return switch (stage) {
      case CURRENT -> current;
      case PREVIOUS -> previous;
      case PENDING -> pending;
    };
  }

  /** The stages {@code version} holds. */
  Set<Stage> of(long version) {
    Set<Stage> out = EnumSet.noneOf(Stage.class);
    for (Stage s : Stage.values()) {
      if (version != 0 && holder(s) == version) {
        out.add(s);
      }
    }
    return out;
  }

  /** After writing {@code version} with {@code stage} (a put when CURRENT, a pending write when PENDING). */
  Stages afterWrite(long version, Stage stage) {
    return stage == Stage.PENDING ? new Stages(current, previous, version) : promote(version);
  }

  /**
   * Makes {@code version} current: the old current (if any) becomes previous and {@code version} loses pending.
   * Promoting the current version only drops its pending stage.
   */
  Stages promote(long version) {
    long newPending = pending == version ? 0 : pending;
    if (current == version) {
      return new Stages(current, previous, newPending);
    }
    long newPrevious = current != 0 ? current : previous;
    return new Stages(version, newPrevious == version ? 0 : newPrevious, newPending);
  }

  /** Gives {@code stage} to {@code version}, with the extra moves {@link #promote} makes for CURRENT. */
  Stages move(Stage stage, long version) {
    return switch (stage) {
      case CURRENT -> promote(version);
      case PREVIOUS -> new Stages(current, version, pending);
      case PENDING -> new Stages(current, previous, version);
    };
  }

  /** Removes {@code stage} from whichever version holds it. */
  Stages clear(Stage stage) {
    return switch (stage) {
      case CURRENT -> new Stages(0, previous, pending);
      case PREVIOUS -> new Stages(current, 0, pending);
      case PENDING -> new Stages(current, previous, 0);
    };
  }
}
