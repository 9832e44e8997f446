package io.secretsbroker.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One version of a secret as the broker served it: its value and metadata. Immutable and thread-safe; {@link
 * #value()} returns a copy, and {@link #toString()} never shows the value.
 */
public final class Secret {
  private final String name;
  private final byte[] value;
  private final String version;
  private final Set<Stage> stages;
  private final Instant createdAt;
  private final Duration cacheTtl;

  private Secret(
      String name, byte[] value, String version, Set<Stage> stages, Instant createdAt, Duration cacheTtl) {
    this.name = name;
    this.value = value;
    this.version = version;
    this.stages = stages;
    this.createdAt = createdAt;
    this.cacheTtl = cacheTtl;
  }

  /**
   * A secret with these fields, e.g. for an application's own tests; {@code value} is copied.
   *
   * @throws NullPointerException if any argument is null
   */
  public static Secret of(
      String name, byte[] value, String version, Set<Stage> stages, Instant createdAt, Duration cacheTtl) {
    Set<Stage> copy = stages.isEmpty() ? EnumSet.noneOf(Stage.class) : EnumSet.copyOf(stages);
    return new Secret(
        Objects.requireNonNull(name, "name"),
        value.clone(),
        Objects.requireNonNull(version, "version"),
        Collections.unmodifiableSet(copy),
        Objects.requireNonNull(createdAt, "createdAt"),
        Objects.requireNonNull(cacheTtl, "cacheTtl"));
  }

  /** The secret's full name, e.g. {@code trading/db-password}. */
  public String name() {
    return name;
  }

  /** A copy of the value's bytes. */
  public byte[] value() {
    return value.clone();
  }

  /** The value decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The version id of this value; opaque. */
  public String version() {
    return version;
  }

  /** The stages this version held when it was served (unmodifiable, possibly empty). */
  public Set<Stage> stages() {
    return stages;
  }

  /** When this version was written. */
  public Instant createdAt() {
    return createdAt;
  }

  /** How long the broker suggests caching this value before asking again ({@link Duration#ZERO} if no hint). */
  public Duration cacheTtl() {
    return cacheTtl;
  }

  /** The name, version, stages and times; the value shows as {@code [REDACTED]}. */
  @Override
  public String toString() {
    return "Secret[name=" + name + ", version=" + version + ", stages=" + stages + ", createdAt=" + createdAt
        + ", cacheTtl=" + cacheTtl + ", value=[REDACTED]]";
  }
}
