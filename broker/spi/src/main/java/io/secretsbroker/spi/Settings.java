package io.secretsbroker.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A typed, validating view of one section of the config file. Every error names the key path
 * ({@code mounts[1].backend.region}). Durations are written as {@code 300s}, {@code 15m}, {@code 24h},
 * {@code 90d} or ISO-8601 ({@code PT5M}).
 */
public final class Settings {
  private final String path;
  private final Map<String, Object> values;

  /**
   * @param path the key path of this section ("" for the root)
   * @param values the section's raw values as parsed from YAML
   */
  public Settings(String path, Map<String, ?> values) {
    this.path = path;
    this.values = new LinkedHashMap<>(values == null ? Map.of() : values);
  }

  /** An empty section at {@code path}. */
  public static Settings empty(String path) {
    return new Settings(path, Map.of());
  }

  /** The key path of this section. */
  public String path() {
    return path;
  }

  /** The key path of {@code key} inside this section. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether {@code key} is set. */
  public boolean has(String key) {
    return values.get(key) != null;
  }

  /**
   * Rejects keys other than {@code allowed}.
   *
   * @throws ConfigException naming the first unknown key and listing the known ones
   */
  public Settings allowOnly(Set<String> allowed) {
    for (String key : values.keySet()) {
      if (!allowed.contains(key)) {
        throw new ConfigException(pathOf(key) + ": unknown key (known keys: " + new TreeSet<>(allowed) + ")");
      }
    }
    return this;
  }

  /** A required string. */
  public String string(String key) {
    return optString(key).orElseThrow(() -> new ConfigException(pathOf(key) + ": required"));
  }

  /** An optional string. */
  public Optional<String> optString(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map || v instanceof List) {
      throw new ConfigException(pathOf(key) + ": expected a string");
    }
    String s = v.toString();
    if (s.isBlank()) {
      throw new ConfigException(pathOf(key) + ": must not be empty");
    }
    return Optional.of(s);
  }

  /** A string with a default. */
  public String string(String key, String defaultValue) {
    return optString(key).orElse(defaultValue);
  }

  /** An integer in {@code [min, max]} with a default. */
  public int integer(String key, int defaultValue, int min, int max) {
    Object v = values.get(key);
    int result;
    if (v == null) {
      result = defaultValue;
    } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      result = n.intValue();
    } else {
      try {
        result = Integer.parseInt(v.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(pathOf(key) + ": expected an integer, got '" + v + "'");
      }
    }
    if (result < min || result > max) {
      throw new ConfigException(pathOf(key) + ": must be between " + min + " and " + max + ", got " + result);
    }
    return result;
  }

  /** A boolean with a default. */
  public boolean bool(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    return switch (v.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(pathOf(key) + ": expected true or false, got '" + v + "'");
    };
  }

  /** A duration in {@code [min, max]} with a default. */
  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    Object v = values.get(key);
    Duration d = v == null ? defaultValue : parseDuration(pathOf(key), v.toString());
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ConfigException(pathOf(key) + ": must be between " + format(min) + " and " + format(max)
          + ", got " + format(d));
    }
    return d;
  }

  /** A nested section; empty when absent. */
  public Settings section(String key) {
    Object v = values.get(key);
    if (v == null) {
      return empty(pathOf(key));
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new ConfigException(pathOf(key) + ": expected a mapping");
    }
    return new Settings(pathOf(key), castMap(pathOf(key), m));
  }

  /** A list of nested sections; empty when absent. */
  public List<Settings> sections(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new ConfigException(pathOf(key) + ": expected a list");
    }
    List<Settings> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String p = pathOf(key) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new ConfigException(p + ": expected a mapping");
      }
      out.add(new Settings(p, castMap(p, m)));
    }
    return out;
  }

  /** A list of strings; empty when absent. */
  public List<String> strings(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new ConfigException(pathOf(key) + ": expected a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        throw new ConfigException(pathOf(key) + "[" + i + "]: expected a string");
      }
      out.add(item.toString());
    }
    return out;
  }

  /** The raw map of this section (for sections that are free-form maps, like principal bindings). */
  public Map<String, Object> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /**
   * Parses {@code 300s}, {@code 15m}, {@code 24h}, {@code 90d}, {@code 500ms} or ISO-8601.
   *
   * @throws ConfigException naming {@code keyPath} when the text is not a duration
   */
  public static Duration parseDuration(String keyPath, String text) {
    String t = text.trim();
    try {
      if (t.startsWith("P") || t.startsWith("p")) {
        return Duration.parse(t);
      }
      int i = 0;
      while (i < t.length() && Character.isDigit(t.charAt(i))) {
        i++;
      }
      if (i == 0) {
        throw new NumberFormatException();
      }
      long n = Long.parseLong(t.substring(0, i));
      return switch (t.substring(i).trim()) {
        case "ms" -> Duration.ofMillis(n);
        case "s", "" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new ConfigException(keyPath + ": expected a duration like 300s, 15m, 24h or 90d, got '" + text + "'");
    }
  }

  /** Formats a duration the way config files write them ({@code 90d}, {@code 24h}, {@code 300s}). */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (d.getNano() != 0) {
      return d.toMillis() + "ms";
    }
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(String path, Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new ConfigException(path + ": keys must be strings, got '" + k + "'");
      }
    }
    return (Map<String, Object>) m;
  }
}
