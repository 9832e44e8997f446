package io.secretsbroker.core.policy;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.policy.Decision;
import io.secretsbroker.policy.PolicyPaths.Operation;

/** Decides whether a principal may perform an operation on a secret name or prefix. Thread-safe. */
public interface AccessControl {

  /**
   * Returns normally when allowed.
   *
   * @param target the secret name, or the prefix for listings; ignored for system operations
   * @throws BrokerException {@link io.secretsbroker.core.Failure#PERMISSION_DENIED} naming the capability and
   *     policy path, never whether the secret exists
   */
  void require(Principal principal, Operation operation, String target);

  /** Whether the principal may perform the operation (no exception, no metrics). */
  boolean allows(Principal principal, Operation operation, String target);

  /**
   * The full decision for a principal (its config bindings plus its {@link Principal#extraPolicies()}) on a
   * capability and a secret name or {@code sys/} path.
   */
  Decision explain(Principal principal, io.secretsbroker.policy.Capability capability, String nameOrSysPath);

  /** The policies a principal holds (config bindings plus its credential's own). */
  java.util.Set<String> policiesOf(Principal principal);
}
