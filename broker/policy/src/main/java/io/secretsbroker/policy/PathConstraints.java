package io.secretsbroker.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of a Vault path stanza that Secrets Broker parses and merges as Vault does but does
 * <b>not enforce</b>: request-parameter constraints, response-wrapping TTLs and event types.
 *
 * <p>Broker requests carry no Vault request parameters and are never response-wrapped, so these
 * fields never change a decision. They are kept so that every Vault policy parses, so that merging
 * follows Vault exactly, and so that {@code sbctl policy lint} can say they are ignored.
 *
 * @param allowedParameters {@code allowed_parameters}: parameter name (lower case) to the values
 *     as written; an empty list allows any value
 * @param deniedParameters {@code denied_parameters}, shaped like {@code allowedParameters}
 * @param requiredParameters {@code required_parameters}
 * @param minWrappingTtl {@code min_wrapping_ttl}; {@link Duration#ZERO} when not set
 * @param maxWrappingTtl {@code max_wrapping_ttl}; {@link Duration#ZERO} when not set
 * @param subscribeEventTypes {@code subscribe_event_types}
 */
public record PathConstraints(
    Map<String, List<String>> allowedParameters,
    Map<String, List<String>> deniedParameters,
    List<String> requiredParameters,
    Duration minWrappingTtl,
    Duration maxWrappingTtl,
    List<String> subscribeEventTypes) {

  /** No constraint at all, as for a stanza holding only {@code capabilities}. */
  public static final PathConstraints NONE =
      new PathConstraints(Map.of(), Map.of(), List.of(), Duration.ZERO, Duration.ZERO, List.of());

  /** Validates and copies the arguments. */
  public PathConstraints {
    allowedParameters = copy(allowedParameters);
    deniedParameters = copy(deniedParameters);
    requiredParameters = List.copyOf(requiredParameters);
    Objects.requireNonNull(minWrappingTtl, "minWrappingTtl");
    Objects.requireNonNull(maxWrappingTtl, "maxWrappingTtl");
    subscribeEventTypes = List.copyOf(subscribeEventTypes);
  }

  /** Returns {@code true} when no field is set. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * Merges {@code next}, a later stanza with the same pattern and no {@code deny}, into this one,
   * as Vault's {@code NewACL} does: the smaller of two set wrapping TTLs; parameter lists appended
   * (the later stanza's values first), an empty list (any value) winning; required parameters
   * added when missing; event types added only when some were already set.
   */
  PathConstraints merge(PathConstraints next) {
    return new PathConstraints(
        mergeParameters(allowedParameters, next.allowedParameters),
        mergeParameters(deniedParameters, next.deniedParameters),
        mergeRequired(requiredParameters, next.requiredParameters),
        smallerSet(minWrappingTtl, next.minWrappingTtl),
        smallerSet(maxWrappingTtl, next.maxWrappingTtl),
        // Vault only adds event types to a list that already has some; kept as Vault does it.
        subscribeEventTypes.isEmpty() || next.subscribeEventTypes.isEmpty()
            ? subscribeEventTypes : List.copyOf(new LinkedHashSet<>(concat(subscribeEventTypes, next.subscribeEventTypes))));
  }

  /** What is left when a later stanza with the same pattern denies: Vault drops both parameter maps. */
  PathConstraints deniedByLaterStanza() {
    return new PathConstraints(Map.of(), Map.of(), requiredParameters, minWrappingTtl, maxWrappingTtl, subscribeEventTypes);
  }

  private static Map<String, List<String>> mergeParameters(Map<String, List<String>> existing, Map<String, List<String>> next) {
    if (next.isEmpty()) {
      return existing;
    }
    if (existing.isEmpty()) {
      return next;
    }
    Map<String, List<String>> merged = new LinkedHashMap<>(existing);
    for (Map.Entry<String, List<String>> e : next.entrySet()) {
      List<String> before = existing.get(e.getKey());
      boolean anyValue = e.getValue().isEmpty() || (before != null && before.isEmpty());
      merged.put(e.getKey(), anyValue ? List.of() : concat(e.getValue(), before == null ? List.of() : before));
    }
    return merged;
  }

  private static List<String> mergeRequired(List<String> existing, List<String> next) {
    if (next.isEmpty()) {
      return existing;
    }
    if (existing.isEmpty()) {
      return next;
    }
    List<String> merged = new ArrayList<>(existing);
    for (String name : next) {
      if (!merged.contains(name)) {
        merged.add(name);
      }
    }
    return merged;
  }

  private static Duration smallerSet(Duration existing, Duration next) {
    return !next.isNegative() && !next.isZero() && (existing.isZero() || next.compareTo(existing) < 0) ? next : existing;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> map) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(Objects.requireNonNull(k, "parameter name"), List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }
}
