package io.secretsbroker.core.rotation;

/**
 * A completed rotation.
 *
 * @param name the secret's full name
 * @param newVersion the version promoted to current
 * @param previousVersion the version that became previous ({@code ""} when there was none)
 */
public record RotationOutcome(String name, String newVersion, String previousVersion) {}
