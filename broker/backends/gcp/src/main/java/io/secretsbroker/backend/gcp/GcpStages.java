package io.secretsbroker.backend.gcp;

import io.secretsbroker.spi.Stage;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which version holds each stage, as kept in a secret's annotations ({@code sb-stage-current: "3"}). Immutable;
 * every change returns a new value. An annotation whose value is not a version number counts as absent.
 */
record GcpStages(Map<Stage, String> holders) {
  /** The annotation key prefix; the stage word follows ({@code sb-stage-current}). */
  static final String ANNOTATION_PREFIX = "sb-stage-";

  GcpStages {
    holders = Map.copyOf(holders);
  }

  /** The stages recorded in {@code annotations}. */
  static GcpStages fromAnnotations(Map<String, String> annotations) {
    Map<Stage, String> holders = new EnumMap<>(Stage.class);
    for (Stage stage : Stage.values()) {
      String v = annotations.get(annotationKey(stage));
      if (v != null && isVersionNumber(v)) {
        holders.put(stage, v);
      }
    }
    return new GcpStages(holders);
  }

  /** The annotation that records {@code stage}. */
  static String annotationKey(Stage stage) {
    return ANNOTATION_PREFIX + stage.word();
  }

  /** Whether {@code version} is a GCP version number (a positive decimal without leading zeros). */
  static boolean isVersionNumber(String version) {
    if (version.isEmpty() || version.length() > 18 || version.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < version.length(); i++) {
      if (version.charAt(i) < '0' || version.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The version holding {@code stage}, or null. */
  String holder(Stage stage) {
    return holders.get(stage);
  }

  /** The current version, or null. */
  String current() {
    return holder(Stage.CURRENT);
  }

  /** The stages {@code version} holds. */
  Set<Stage> of(String version) {
    Set<Stage> out = EnumSet.noneOf(Stage.class);
    holders.forEach((stage, v) -> {
      if (v.equals(version)) {
        out.add(stage);
      }
    });
    return out;
  }

  /** After a put of new version {@code version}: it becomes current and the old current becomes previous. */
  GcpStages afterPut(String version) {
    Map<Stage, String> next = copy();
    String oldCurrent = next.put(Stage.CURRENT, version);
    if (oldCurrent != null) {
      next.put(Stage.PREVIOUS, oldCurrent);
    }
    return new GcpStages(next);
  }

  /**
   * After {@code stage} moves to {@code version}. Moving {@code CURRENT} makes the old current previous (unless
   * it is {@code version} itself) and takes {@code PENDING} and {@code PREVIOUS} off the promoted version.
   */
  GcpStages afterMove(Stage stage, String version) {
    Map<Stage, String> next = copy();
    String old = next.put(stage, version);
    if (stage == Stage.CURRENT) {
      if (old != null && !old.equals(version)) {
        next.put(Stage.PREVIOUS, old);
      } else if (version.equals(next.get(Stage.PREVIOUS))) {
        next.remove(Stage.PREVIOUS);
      }
      if (version.equals(next.get(Stage.PENDING))) {
        next.remove(Stage.PENDING);
      }
    }
    return new GcpStages(next);
  }

  /** After {@code stage} is taken off whichever version holds it. */
  GcpStages without(Stage stage) {
    Map<Stage, String> next = copy();
    next.remove(stage);
    return new GcpStages(next);
  }

  /** {@code annotations} with the stage annotations replaced by these stages; other annotations are kept. */
  Map<String, String> applyTo(Map<String, String> annotations) {
    Map<String, String> out = new LinkedHashMap<>(annotations);
    for (Stage stage : Stage.values()) {
      String v = holders.get(stage);
      if (v == null) {
        out.remove(annotationKey(stage));
      } else {
        out.put(annotationKey(stage), v);
      }
    }
    return out;
  }

  private Map<Stage, String> copy() {
    Map<Stage, String> m = new EnumMap<>(Stage.class);
    m.putAll(holders);
    return m;
  }
}
