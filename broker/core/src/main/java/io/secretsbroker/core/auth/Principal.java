package io.secretsbroker.core.auth;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name the principal ({@code spiffe://prod/trading/api}, a DNS name, a certificate CN, or a token's
 *     principal)
 * @param method how it was authenticated: {@code mtls}, {@code token} or {@code root}
 * @param extraPolicies policies attached to the credential itself (a token's policies), beyond config bindings
 * @param accessor the token's non-secret accessor ("" for a certificate), recorded in audit records
 */
public record Principal(String name, String method, Set<String> extraPolicies, String accessor) {
  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(method, "method");
    extraPolicies = Set.copyOf(extraPolicies);
    accessor = accessor == null ? "" : accessor;
  }

  /** A principal authenticated without a token. */
  public Principal(String name, String method, Set<String> extraPolicies) {
    this(name, method, extraPolicies, "");
  }

  /**
   * The typed name used in audit records and as a token's creator: {@code spiffe://…} or {@code cert:CN} for a
   * certificate, {@code token:NAME} for a bearer token (the root token is {@code token:root}), the bare name otherwise
   * (e.g. {@code system:rotation-scheduler}).
   */
  public String typedName() {
    return switch (method) {
      case "mtls" -> name.startsWith("spiffe://") ? name : "cert:" + name;
      case "token", "root" -> "token:" + name;
      default -> name;
    };
  }

  /** The dev-mode root principal, which holds the {@code root} policy. */
  public static Principal root() {
    return new Principal("root", "root", Set.of("root"));
  }
}
