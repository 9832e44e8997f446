package io.secretsbroker.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** One leg of the benchmark: which server the load client talks to. */
enum Leg {
  /** The real daemon with the durable audit log on. */
  AUDIT_ON("audit-on"),
  /** The real daemon with {@code audit.enabled: false}. */
  AUDIT_OFF("audit-off"),
  /** A bare grpc-java server answering with a fixed response: no auth, no cache, no audit. */
  ECHO("echo");

  private final String id;

  Leg(String id) {
    this.id = id;
  }

  /** The name used on the command line, in file names and in the report. */
  String id() {
    return id;
  }

  /** Whether this leg runs the real daemon (as opposed to the echo server). */
  boolean isDaemon() {
    return this != ECHO;
  }

  /**
   * The leg with that command-line name.
   *
   * @throws IllegalArgumentException naming the known legs
   */
  static Leg byId(String id) {
    for (Leg leg : values()) {
      if (leg.id.equals(id)) {
        return leg;
      }
    }
    throw new IllegalArgumentException("unknown leg '" + id + "' (known: " + allIds() + ")");
  }

  /** All leg names, comma-separated, in their default order. */
  static String allIds() {
    return Arrays.stream(values()).map(Leg::id).collect(Collectors.joining(","));
  }
}
