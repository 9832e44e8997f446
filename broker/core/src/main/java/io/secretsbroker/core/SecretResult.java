package io.secretsbroker.core;

import io.secretsbroker.spi.SecretVersion;
import java.time.Duration;

/**
 * A secret served to a caller.
 *
 * @param version the version with its value, under its full name
 * @param cacheTtl how long the caller may cache it
 * @param fromCache whether the broker's cache served it
 */
public record SecretResult(SecretVersion version, Duration cacheTtl, boolean fromCache) {}
