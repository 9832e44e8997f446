package io.secretsbroker.policy;

import java.util.Objects;

/**
 * A capability asked for on a policy path, for example {@code read} on
 * {@code secret/data/trading/db}. {@link PolicyPaths} builds these from broker operations.
 *
 * @param capability the capability needed; never {@link Capability#DENY}
 * @param path the policy path, for example {@code secret/data/trading/db} or {@code sys/audit}
 */
public record AccessRequest(Capability capability, String path) {

  /** Validates the arguments. */
  public AccessRequest {
    Objects.requireNonNull(capability, "capability");
    Objects.requireNonNull(path, "path");
    if (capability == Capability.DENY) {
      throw new IllegalArgumentException("'deny' is not a capability a request can ask for");
    }
  }
}
