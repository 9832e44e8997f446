/**
 * The audit log: one record per request in a SHA-256 hash chain in the state database, appended by group commit
 * (one durable write per batch), verified by recomputing the chain, queried by auditors.
 */
package io.secretsbroker.core.audit;
