package io.secretsbroker.audit;

import java.io.IOException;
import java.util.Optional;

/**
 * Where checkpoints are kept outside the journal — another directory or volume, an object store — so that cutting
 * the journal's tail is detected by comparing it with the newest anchored checkpoint. Implementations are
 * thread-safe.
 */
public interface Anchor {
  /**
   * Stores a checkpoint durably.
   *
   * @throws IOException when it could not be stored
   */
  void publish(Checkpoint checkpoint) throws IOException;

  /**
   * The newest checkpoint stored for {@code replica}.
   *
   * @throws IOException when the anchor cannot be read
   */
  Optional<Checkpoint> latest(String replica) throws IOException;

  /** Where the anchor is, for messages (never credentials). */
  String describe();
}
