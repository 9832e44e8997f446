/**
 * The {@code local} backend, the zero-configuration default: secrets kept in the broker's state database (H2
 * by default, PostgreSQL in HA mode), each version's value encrypted with AES-256-GCM under its own data key,
 * which a master key kept in a file wraps (envelope encryption).
 *
 * <p>The public entry point is {@link io.secretsbroker.backend.local.LocalBackendProvider}; everything else is
 * package-private. The backend owns its tables ({@code sb_local_*}) and migrates them with Flyway from
 * {@code db/local}, under its own history table.
 */
package io.secretsbroker.backend.local;
