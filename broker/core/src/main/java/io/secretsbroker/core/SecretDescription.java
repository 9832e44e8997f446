package io.secretsbroker.core;

import io.secretsbroker.spi.SecretMetadata;
import java.util.Set;

/**
 * A secret's metadata with where it lives.
 *
 * @param metadata versions and times, under the full name
 * @param mount the mount prefix serving it
 * @param backend the backend kind
 * @param revokedVersions the version ids revoked
 */
public record SecretDescription(SecretMetadata metadata, String mount, String backend, Set<String> revokedVersions) {}
