/** Revoked versions: recorded in the state database, held in memory, checked on every read. */
package io.secretsbroker.core.revocation;
