package io.secretsbroker.server.grpc;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.core.audit.AuditLog;
import io.secretsbroker.core.rotation.RotationOutcome;
import io.secretsbroker.core.rotation.RotationScheduler;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each rotation the scheduler completes or fails in the audit log, as principal
 * {@value #PRINCIPAL} and method {@value #METHOD}, so auditors see who rotated a secret even when no caller asked.
 */
final class RotationAudit implements RotationScheduler.Listener {
  static final String PRINCIPAL = "system:rotation-scheduler";
  static final String METHOD = "scheduler/RotateSecret";
  private static final Logger log = LoggerFactory.getLogger(RotationAudit.class);

  private final AuditLog audit;
  private final Clock clock;

  /** @param audit the audit log, or null when auditing is turned off */
  RotationAudit(AuditLog audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void rotated(RotationOutcome outcome, boolean resumed) {
    append(outcome.name(), outcome.newVersion(), "OK", (resumed ? "resumed an interrupted rotation; " : "")
        + "previous version " + (outcome.previousVersion().isEmpty() ? "none" : outcome.previousVersion()));
  }

  @Override
  public void failed(String name, BrokerException failure) {
    append(name, "", failure.failure().name(), failure.getMessage());
  }

  private void append(String name, String version, String outcome, String detail) {
    if (audit == null) {
      return;
    }
    try {
      audit.append(AuditEntry.builder(AuditEntry.Kind.ACCESS, clock.instant())
          .requestId("rotation-" + UUID.randomUUID()).principal(PRINCIPAL).authMethod("system").method(METHOD)
          .name(name).version(version).outcome(outcome).detail(detail).build());
    } catch (BrokerException e) {
      log.warn("could not audit the scheduled rotation of '{}': {}", name, e.getMessage());
    }
  }
}
