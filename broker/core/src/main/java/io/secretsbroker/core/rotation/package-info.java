/**
 * Rotation: policies (interval, generator, grace; per secret over per prefix over the broker default), the
 * persisted rotation state machine that survives crashes ({@link io.secretsbroker.core.rotation.RotationEngine}),
 * the scheduler that rotates due secrets and retires previous versions after their grace
 * ({@link io.secretsbroker.core.rotation.RotationScheduler}), the request path for the rotation API
 * ({@link io.secretsbroker.core.rotation.RotationService}), and ages and due dates of secrets.
 */
package io.secretsbroker.core.rotation;
