package io.secretsbroker.core.rotation;

import java.util.Locale;

/**
 * Where a secret's rotation stands. A rotation moves {@code IDLE → PENDING_CREATED → VERIFIED → PROMOTED → IDLE};
 * each state is persisted before the next step starts, so a rotation interrupted anywhere resumes from its state.
 */
public enum RotationState {
  /** No rotation in flight. */
  IDLE,
  /**
   * A new value was chosen and its salted hash recorded; it is being, or has been, written to the backend as a
   * pending version. The pending version id is known once the write returned and was recorded.
   */
  PENDING_CREATED,
  /** The pending version was read back by id and matched the value's hash. */
  VERIFIED,
  /** The pending version is current and the old current is previous; announcing the change is left. */
  PROMOTED;

  /** The word used in the API, the state database and the docs ({@code idle}, {@code pending_created}, ...). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a state word.
   *
   * @throws IllegalArgumentException when {@code word} is not a state
   */
  public static RotationState fromWord(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
