/**
 * The Azure Key Vault backend ({@code type: azure}): broker secrets as Key Vault secrets through
 * {@code azure-security-keyvault-secrets}, with names mapped to Key Vault's alphabet
 * ({@link io.secretsbroker.backend.azure.AzureNames}), stages kept as claims in version tags
 * ({@link io.secretsbroker.backend.azure.SecretState}) and binary values stored as base64
 * ({@link io.secretsbroker.backend.azure.StoredValue}). Only
 * {@link io.secretsbroker.backend.azure.AzureBackendProvider} is public.
 */
package io.secretsbroker.backend.azure;
