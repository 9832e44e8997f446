package io.secretsbroker.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * A capability a policy grants on a path, spelled in policies as the lower-case constant name.
 *
 * <p>{@link #DENY} is not something a request asks for: on the pattern that decides a request it
 * refuses every capability, whatever else any policy grants on that same pattern. {@link #SUDO},
 * {@link #PATCH}, {@link #SUBSCRIBE} and {@link #RECOVER} are Vault's: policies may grant them (so
 * that every Vault policy parses), but no broker operation asks for them
 * ({@link #requestable()} is {@code false}).
 */
public enum Capability {
  /** Read a secret value, or a secret's metadata on a {@code secret/metadata/} path. */
  READ,
  /** List names under a prefix. */
  LIST,
  /** Write the first version of a secret. */
  CREATE,
  /** Write a new version of an existing secret. */
  UPDATE,
  /** Delete a secret, or revoke a token. */
  DELETE,
  /** Rotate a secret or change its rotation policy. */
  ROTATE,
  /** Revoke a version of a secret. */
  REVOKE,
  /** Query and verify the audit log. */
  AUDIT,
  /** Refuse every capability on the deciding pattern. */
  DENY,
  /** Vault's access to root-protected paths; the broker has none. */
  SUDO,
  /** Vault's partial update; no broker operation asks for it. */
  PATCH,
  /** Vault's event subscription; no broker operation asks for it. */
  SUBSCRIBE,
  /** Vault's snapshot recovery; no broker operation asks for it. */
  RECOVER;

  private final String hclName = name().toLowerCase(Locale.ROOT);

  /** Returns the spelling used in policy files, for example {@code "read"}. */
  public String hclName() {
    return hclName;
  }

  /**
   * Returns {@code true} when some broker operation asks for this capability: {@code read},
   * {@code list}, {@code create}, {@code update}, {@code delete}, {@code rotate}, {@code revoke}
   * and {@code audit}.
   */
  public boolean requestable() {
    return ordinal() < DENY.ordinal();
  }

  /**
   * Returns {@code true} for Vault's capabilities that mean nothing to the broker: {@code sudo},
   * {@code patch}, {@code subscribe} and {@code recover}.
   */
  public boolean vaultOnly() {
    return ordinal() > DENY.ordinal();
  }

  /**
   * Returns the capability spelled {@code name} in policy files (exact, lower case), if any.
   *
   * @param name a capability as written in a policy, for example {@code "read"}
   */
  public static Optional<Capability> fromHclName(String name) {
    for (Capability c : values()) {
      if (c.hclName.equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return hclName;
  }
}
