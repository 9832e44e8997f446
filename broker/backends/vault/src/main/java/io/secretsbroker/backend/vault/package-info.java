/**
 * The HashiCorp Vault backend: secrets in a KV version 2 secrets engine, reached through {@code spring-vault-core}
 * with token, AppRole or Kubernetes authentication.
 *
 * <p>Broker versions are KV versions ("1", "2", ...); the stages live in each secret's {@code custom_metadata}.
 * {@link io.secretsbroker.backend.vault.VaultBackendProvider} is the only public type; {@code docs/backends/vault.md}
 * describes the configuration, the mapping and how concurrent writers stay consistent.
 */
package io.secretsbroker.backend.vault;
