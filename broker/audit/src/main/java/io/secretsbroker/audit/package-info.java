/**
 * The audit journal: {@link io.secretsbroker.audit.AuditJournal} appends {@link io.secretsbroker.audit.AuditEntry}
 * records to framed segment files with group commit, chains them with an HMAC ({@link
 * io.secretsbroker.audit.AuditKey}) and publishes checkpoints to an {@link io.secretsbroker.audit.Anchor}; {@link
 * io.secretsbroker.audit.JournalReader} reads segments back and {@link io.secretsbroker.audit.AuditVerifier} proves
 * them intact, online or offline. Closed segments past retention go to an {@link
 * io.secretsbroker.audit.ArchiveStore} (a directory here; S3 in {@code broker-audit-s3}), which {@link
 * io.secretsbroker.audit.ArchiveVerifier} verifies offline. No database and no gRPC here: the daemon's index and the
 * CLI build on it.
 */
package io.secretsbroker.audit;
