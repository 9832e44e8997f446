/**
 * The daemon's audit log: {@link io.secretsbroker.core.audit.AuditLog} joins this replica's journal (module
 * {@code broker-audit}: the record of truth) to the {@link io.secretsbroker.core.audit.AuditIndex} in the state
 * database (queries, access summaries), which {@link io.secretsbroker.core.audit.AuditIndexer} fills asynchronously.
 */
package io.secretsbroker.core.audit;
