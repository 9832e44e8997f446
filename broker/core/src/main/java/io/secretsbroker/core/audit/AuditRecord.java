package io.secretsbroker.core.audit;

/**
 * An audit entry as stored: its place in the chain and the hashes linking it.
 *
 * @param sequence position in the chain, from 1
 * @param entry what happened
 * @param previousHash the previous record's hash (hex; 64 zeros for the first)
 * @param hash SHA-256 (hex) of this record's canonical form, which includes {@code previousHash}
 */
public record AuditRecord(long sequence, AuditEntry entry, String previousHash, String hash) {}
