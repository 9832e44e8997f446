package io.secretsbroker.core.policy;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.metrics.BrokerMetrics;
import io.secretsbroker.policy.AccessRequest;
import io.secretsbroker.policy.Capability;
import io.secretsbroker.policy.Decision;
import io.secretsbroker.policy.PolicyBindings;
import io.secretsbroker.policy.PolicyPaths;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.policy.PolicySet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Access control by Vault-style HCL policies: the principal's policies (config bindings plus its token's own)
 * decide each operation on the policy path {@link PolicyPaths} maps it to. The policy named {@value #ROOT} is
 * built in and allows everything, as Vault's root policy does. Default deny. Thread-safe: the policy set is read
 * from a supplier on every check, so a hot reload takes effect on the next request.
 */
public final class PolicyAccessControl implements AccessControl {
  /** The built-in policy that allows everything. */
  public static final String ROOT = "root";

  private final Supplier<PolicySet> policies;
  private final PolicyBindings bindings;
  private final BrokerMetrics metrics;

  public PolicyAccessControl(Supplier<PolicySet> policies, PolicyBindings bindings, BrokerMetrics metrics) {
    this.policies = policies;
    this.bindings = bindings;
    this.metrics = metrics;
  }

  @Override
  public Set<String> policiesOf(Principal principal) {
    return bindings.policiesFor(principal.name(), principal.extraPolicies());
  }

  private Decision decide(Set<String> held, AccessRequest request) {
    if (held.contains(ROOT)) {
      return new Decision(true, request.capability(), request.path(), Optional.of("(built-in root policy)"),
          List.of(ROOT), List.of(request.capability()));
    }
    return policies.get().decide(held, request);
  }

  @Override
  public void require(Principal principal, Operation operation, String target) {
    AccessRequest request = PolicyPaths.forOperation(operation, target);
    Decision d = decide(policiesOf(principal), request);
    if (!d.allowed()) {
      metrics.denied(request.capability().hclName());
      throw new BrokerException(Failure.PERMISSION_DENIED, "permission denied: '" + request.capability().hclName()
          + "' on '" + request.path() + "' is not granted to principal '" + principal.name() + "'");
    }
  }

  @Override
  public boolean allows(Principal principal, Operation operation, String target) {
    return decide(policiesOf(principal), PolicyPaths.forOperation(operation, target)).allowed();
  }

  @Override
  public Decision explain(Principal principal, Capability capability, String nameOrSysPath) {
    return decide(policiesOf(principal), PolicyPaths.forCheck(capability, nameOrSysPath));
  }
}
