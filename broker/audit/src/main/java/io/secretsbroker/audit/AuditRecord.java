package io.secretsbroker.audit;

import java.util.Objects;

/**
 * An entry as the journal holds it: its replica, its place in that replica's chain and the MAC linking it.
 *
 * @param replica the replica that wrote it (each replica has its own journal and chain)
 * @param sequence position in the replica's chain, from 1, without gaps
 * @param entry what happened
 * @param mac HMAC-SHA256 (hex) over the previous record's MAC and this record's canonical bytes
 */
public record AuditRecord(String replica, long sequence, AuditEntry entry, String mac) {
  public AuditRecord {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(mac, "mac");
  }
}
