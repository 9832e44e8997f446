package io.secretsbroker.core.rotation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rotation meters: {@code secrets_rotated_total{backend}}, {@code secrets_rotation_failures_total{backend}} and the
 * gauge {@code secrets_rotation_overdue}. The gauge is registered once per registry.
 */
final class RotationMetrics {
  private final MeterRegistry registry;

  RotationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void rotated(String backend) {
    Counter.builder("secrets.rotated").description("Rotations completed").tag("backend", backend)
        .register(registry).increment();
  }

  void failed(String backend) {
    Counter.builder("secrets.rotation.failures").description("Rotation attempts that failed")
        .tag("backend", backend).register(registry).increment();
  }

  /** Registers the overdue gauge reading {@code holder}. */
  static void overdueGauge(MeterRegistry registry, AtomicLong holder) {
    Gauge.builder("secrets.rotation.overdue", holder, AtomicLong::get)
        .description("Secrets past their rotation due time at the last scan").strongReference(true)
        .register(registry);
  }
}
