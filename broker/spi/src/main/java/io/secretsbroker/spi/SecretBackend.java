package io.secretsbroker.spi;

import java.util.Set;

/**
 * A place where secrets live. Names given to a backend are relative to its mount and already validated by
 * the broker ({@code segment/segment}, segments of {@code [A-Za-z0-9._-]}).
 *
 * <p>Implementations are thread-safe. Every method reports failure by throwing {@link BackendException} with
 * a code from {@link ErrorCode}; no other exception escapes. Implementations apply their own I/O timeouts.
 *
 * <p>Stage rules, shared by every backend and checked by the contract suite: at most one version holds each
 * stage; a put ({@link WriteRequest#put}) makes the new version current and the old current previous; a
 * pending write touches nothing else; {@link #moveStage} of {@code CURRENT} makes the old current previous
 * and removes {@code PENDING} from the promoted version.
 */
public interface SecretBackend extends AutoCloseable {

  /** The backend kind, e.g. {@code "local"} or {@code "vault"}. */
  String kind();

  /** The optional abilities this backend has. */
  Set<Capability> capabilities();

  /**
   * Reads one version.
   *
   * @throws BackendException {@code NOT_FOUND} when the secret, version or stage does not exist
   */
  SecretVersion read(SecretRef ref);

  /**
   * Writes a new version.
   *
   * @return the new version's metadata, with the stages it holds after the write
   * @throws BackendException {@code CONFLICT} when the check-and-set condition does not hold
   */
  VersionInfo write(WriteRequest request);

  /**
   * Lists secrets whose name starts with {@code prefix}, in name order.
   *
   * @throws BackendException {@code INVALID_ARGUMENT} for a page token this backend did not issue
   */
  Page<SecretSummary> list(String prefix, PageRequest page);

  /**
   * Describes a secret: every kept version with its stages.
   *
   * @throws BackendException {@code NOT_FOUND} when the secret does not exist
   */
  SecretMetadata describe(String name);

  /**
   * Deletes a secret and every version. Afterwards reads and describes report {@code NOT_FOUND} and the name
   * may be written again from scratch.
   *
   * @throws BackendException {@code NOT_FOUND} when the secret does not exist
   */
  void delete(String name);

  /**
   * Gives {@code stage} to {@code version}, taking it from whichever version held it.
   *
   * @throws BackendException {@code NOT_FOUND} when the secret or version does not exist
   */
  void moveStage(String name, Stage stage, String version);

  /**
   * Removes {@code stage} from whichever version holds it; does nothing when none does.
   *
   * @throws BackendException {@code NOT_FOUND} when the secret does not exist
   */
  void clearStage(String name, Stage stage);

  /** Whether the backend answered its last health probe; the default asks nothing and says yes. */
  default boolean healthy() {
    return true;
  }

  /** Releases clients, pools and threads. Never throws. */
  @Override
  default void close() {}
}
