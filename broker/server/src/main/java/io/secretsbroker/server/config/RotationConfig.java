package io.secretsbroker.server.config;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.SecretNames;
import io.secretsbroker.core.rotation.Generator;
import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.rotation.RotationPolicies.PrefixPolicy;
import io.secretsbroker.core.rotation.RotationPolicy;
import io.secretsbroker.core.rotation.RotationSettings;
import io.secretsbroker.spi.ConfigException;
import io.secretsbroker.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code rotation:} section: how the scheduler scans and the default policies.
 *
 * <pre>
 * rotation:
 *   scan-interval: 60s
 *   concurrency: 2
 *   max-jitter: 5m
 *   retry-initial-backoff: 1m
 *   retry-max-backoff: 1h
 *   default-interval: 90d
 *   default-grace: 24h
 *   default-generator: { type: password, length: 32, classes: [lower, upper, digits] }
 *   prefixes:
 *     - prefix: payments/
 *       interval: 30d
 *       grace: 1h
 *       generator: { type: random-bytes, length: 48 }
 * </pre>
 *
 * A prefix entry's unset fields take the broker-wide defaults; the longest matching prefix wins.
 *
 * @param settings scan interval, concurrency, jitter and retry backoff (the takeover wait is set by the server
 *     from the state database's kind)
 * @param defaults the broker-wide default policy
 * @param prefixes per-prefix default policies, in file order
 */
public record RotationConfig(RotationSettings settings, RotationPolicy defaults, List<PrefixPolicy> prefixes) {
  private static final Set<String> KEYS = Set.of("scan-interval", "concurrency", "max-jitter",
      "retry-initial-backoff", "retry-max-backoff", "default-interval", "default-grace", "default-generator",
      "prefixes");
  private static final Set<String> PREFIX_KEYS = Set.of("prefix", "interval", "grace", "generator");

  /**
   * Parses the section.
   *
   * @throws ConfigException naming the key path of the first problem, e.g. {@code rotation.prefixes[0].interval}
   */
  public static RotationConfig parse(Settings s) {
    s.allowOnly(KEYS);
    Duration scan = s.duration("scan-interval", RotationSettings.DEFAULT_SCAN_INTERVAL, Duration.ofSeconds(1),
        Duration.ofHours(24));
    int concurrency = s.integer("concurrency", RotationSettings.DEFAULT_CONCURRENCY, 1,
        RotationSettings.MAX_CONCURRENCY);
    Duration jitter = s.duration("max-jitter", RotationSettings.DEFAULT_MAX_JITTER, Duration.ZERO,
        Duration.ofDays(1));
    Duration retryStart = s.duration("retry-initial-backoff", RotationSettings.DEFAULT_RETRY_INITIAL_BACKOFF,
        Duration.ofSeconds(1), Duration.ofDays(1));
    Duration retryMax = s.duration("retry-max-backoff", RotationSettings.DEFAULT_RETRY_MAX_BACKOFF,
        Duration.ofSeconds(1), Duration.ofDays(7));
    if (retryMax.compareTo(retryStart) < 0) {
      throw new ConfigException(s.pathOf("retry-max-backoff") + ": must be at least retry-initial-backoff ("
          + Settings.format(retryStart) + "), got " + Settings.format(retryMax));
    }
    RotationSettings settings = new RotationSettings(scan, concurrency, jitter, retryStart, retryMax, Duration.ZERO);

    RotationPolicy defaults = new RotationPolicy(
        interval(s, "default-interval", RotationPolicy.DEFAULT_INTERVAL),
        s.has("default-generator") ? generator(s.section("default-generator")) : Generator.DEFAULT,
        grace(s, "default-grace", RotationPolicy.DEFAULT_GRACE));

    List<PrefixPolicy> prefixes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Settings p : s.sections("prefixes")) {
      p.allowOnly(PREFIX_KEYS);
      String prefix = p.string("prefix");
      try {
        SecretNames.requireValidPrefix("prefix", prefix);
      } catch (BrokerException e) {
        throw new ConfigException(p.pathOf("prefix") + ": " + e.getMessage().substring("prefix: ".length()));
      }
      if (!seen.add(prefix)) {
        throw new ConfigException(p.pathOf("prefix") + ": another entry already uses '" + prefix + "'");
      }
      prefixes.add(new PrefixPolicy(prefix, new RotationPolicy(
          interval(p, "interval", defaults.interval()),
          p.has("generator") ? generator(p.section("generator")) : defaults.generator(),
          grace(p, "grace", defaults.grace()))));
    }
    return new RotationConfig(settings, defaults, List.copyOf(prefixes));
  }

  private static Duration interval(Settings s, String key, Duration fallback) {
    return s.duration(key, fallback, RotationPolicy.MIN_INTERVAL, RotationPolicy.MAX_INTERVAL);
  }

  private static Duration grace(Settings s, String key, Duration fallback) {
    return s.duration(key, fallback, Duration.ZERO, RotationPolicy.MAX_GRACE);
  }

  private static Generator generator(Settings g) {
    String type = g.string("type");
    switch (type) {
      case "password" -> {
        g.allowOnly(Set.of("type", "length", "classes"));
        int length = g.integer("length", Generator.DEFAULT_LENGTH, Generator.MIN_PASSWORD_LENGTH,
            Generator.MAX_PASSWORD_LENGTH);
        Set<CharacterClass> classes = EnumSet.noneOf(CharacterClass.class);
        List<String> words = g.strings("classes");
        for (int i = 0; i < words.size(); i++) {
          try {
            if (!classes.add(CharacterClass.fromWord(words.get(i)))) {
              throw new IllegalArgumentException("'" + words.get(i) + "' is listed twice");
            }
          } catch (IllegalArgumentException e) {
            throw new ConfigException(g.pathOf("classes") + "[" + i + "]: " + e.getMessage());
          }
        }
        return new Generator.Password(length, classes.isEmpty() ? Generator.DEFAULT_CLASSES : classes);
      }
      case "random-bytes" -> {
        g.allowOnly(Set.of("type", "length", "base64"));
        return new Generator.RandomBytes(g.integer("length", Generator.DEFAULT_LENGTH, Generator.MIN_RANDOM_BYTES,
            Generator.MAX_RANDOM_BYTES), g.bool("base64", true));
      }
      case "external" -> {
        g.allowOnly(Set.of("type"));
        return new Generator.External();
      }
      default -> throw new ConfigException(g.pathOf("type") + ": must be password, random-bytes or external, got '"
          + type + "'");
    }
  }
}
