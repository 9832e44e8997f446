package io.secretsbroker.core.routing;

import io.secretsbroker.core.cache.CachingBackend;
import java.util.Objects;

/**
 * A name prefix bound to one backend instance.
 *
 * @param prefix {@code ""} for the root mount, otherwise a name prefix ending in {@code /}
 * @param kind the backend kind ({@code local}, {@code vault}, ...), used as the {@code backend} metric label
 * @param backend the backend, already wrapped in the resilience, metrics and cache decorators
 */
public record Mount(String prefix, String kind, CachingBackend backend) {
  public Mount {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(backend, "backend");
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      throw new IllegalArgumentException("mount prefix must be empty or end with '/': '" + prefix + "'");
    }
  }

  /** The backend's name for a full secret name under this mount. */
  public String relative(String fullName) {
    return fullName.substring(prefix.length());
  }

  /** The full secret name for a backend name under this mount. */
  public String absolute(String backendName) {
    return prefix + backendName;
  }
}
