package io.secretsbroker.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a policy check and why: which pattern decided, which policies hold it and what it
 * grants. Safe to log and to return to an operator; it holds no secret value.
 *
 * @param allowed whether the capability is granted
 * @param capability the capability asked for
 * @param path the policy path checked, for example {@code secret/data/trading/db}
 * @param matchedPattern the pattern that decided; empty when no pattern matched (then denied)
 * @param policies the names of the policies holding that pattern, sorted; empty when none matched
 * @param capabilities what that pattern grants, merged across those policies, in
 *     {@link Capability} order; exactly {@code [deny]} when any of them denies
 */
public record Decision(
    boolean allowed,
    Capability capability,
    String path,
    Optional<String> matchedPattern,
    List<String> policies,
    List<Capability> capabilities) {

  /** Validates and copies the arguments. */
  public Decision {
    Objects.requireNonNull(capability, "capability");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(matchedPattern, "matchedPattern");
    policies = List.copyOf(policies);
    capabilities = List.copyOf(capabilities);
  }

  /** Returns {@code true} when the deciding pattern carries {@code deny}. */
  public boolean explicitlyDenied() {
    return capabilities.contains(Capability.DENY);
  }

  /**
   * Explains the decision in one line, for example
   * {@code "secret/data/trading/*" (policies [trading]) grants [read], not update}.
   */
  public String explanation() {
    if (matchedPattern.isEmpty()) {
      return "no policy path matches " + Texts.quote(path) + "; denied by default";
    }
    String held = Texts.quote(matchedPattern.get()) + " (policies " + policies + ")";
    if (explicitlyDenied()) {
      return held + " denies";
    }
    if (allowed) {
      return held + " grants " + capability;
    }
    return held + " grants " + capabilities + ", not " + capability;
  }
}
