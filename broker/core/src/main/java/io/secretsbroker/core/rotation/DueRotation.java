package io.secretsbroker.core.rotation;

import java.time.Instant;

/**
 * A secret whose rotation is due (or soon will be).
 *
 * @param name the full name
 * @param ageDays whole days since its current version was written
 * @param dueAt when its rotation is (or was) due
 * @param overdue whether {@code dueAt} has passed
 */
public record DueRotation(String name, long ageDays, Instant dueAt, boolean overdue) {}
