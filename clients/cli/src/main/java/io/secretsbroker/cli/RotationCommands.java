package io.secretsbroker.cli;

import io.secretsbroker.proto.v1.DueRotation;
import io.secretsbroker.proto.v1.Generator;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationPolicy;
import io.secretsbroker.proto.v1.RotationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** rotation due, status, policy set; and the top-level rotate. */
@Command(name = "rotation", description = "Rotation status, due secrets and policies.",
    subcommands = {RotationCommands.Due.class, RotationCommands.Status.class, RotationCommands.PolicyGroup.class})
final class RotationCommands extends BaseCommand.Group {
  private static final Pattern GENERATOR = Pattern.compile("(password|random-bytes|external)(?::(\\d{1,6}))?");
  private static final Set<String> CLASSES = Set.of("lower", "upper", "digits", "symbols");

  /** Parses {@code password[:N]}, {@code random-bytes[:N]} or {@code external}. */
  static Generator generator(String text, List<String> classes) {
    Matcher m = GENERATOR.matcher(text.strip());
    if (!m.matches() || (m.group(1).equals("external") && m.group(2) != null)) {
      throw new IllegalArgumentException(
          "invalid generator \"" + text + "\": use password:LENGTH, random-bytes:LENGTH or external");
    }
    Generator.Builder g = Generator.newBuilder();
    switch (m.group(1)) {
      case "password" -> g.setKind(Generator.Kind.KIND_PASSWORD);
      case "random-bytes" -> g.setKind(Generator.Kind.KIND_RANDOM_BYTES);
      default -> g.setKind(Generator.Kind.KIND_EXTERNAL);
    }
    if (m.group(2) != null) {
      int length = Integer.parseInt(m.group(2));
      if (length < 1) {
        throw new IllegalArgumentException("generator length must be at least 1, got " + length);
      }
      g.setLength(length);
    }
    if (!classes.isEmpty()) {
      if (g.getKind() != Generator.Kind.KIND_PASSWORD) {
        throw new IllegalArgumentException("--classes applies only to the password generator");
      }
      for (String c : classes) {
        if (!CLASSES.contains(c)) {
          throw new IllegalArgumentException(
              "unknown character class \"" + c + "\": use lower, upper, digits, symbols");
        }
      }
      g.addAllCharacterClasses(classes);
    }
    return g.build();
  }

  static Map<String, Object> json(RotationStatus s) {
    Map<String, Object> o = Json.object();
    o.put("name", s.getName());
    o.put("state", s.getState());
    o.put("policy", SecretCommands.json(s.getPolicy()));
    o.put("last_rotated", Fmt.instant(s.hasLastRotatedTime(), s.getLastRotatedTime()));
    o.put("next_rotation", Fmt.instant(s.hasNextRotationTime(), s.getNextRotationTime()));
    o.put("pending_version", s.getPendingVersion());
    o.put("last_error", s.getLastError());
    return o;
  }

  static String text(RotationStatus s) {
    RotationPolicy p = s.getPolicy();
    return Table.fields()
        .row("name", s.getName())
        .row("state", s.getState())
        .row("interval", p.hasInterval() ? Durations.format(Fmt.duration(p.getInterval())) : "default")
        .row("generator", SecretCommands.generator(p.getGenerator()))
        .row("grace period", p.hasGracePeriod() ? Durations.format(Fmt.duration(p.getGracePeriod())) : "default")
        .row("last rotated", Fmt.time(Fmt.instant(s.hasLastRotatedTime(), s.getLastRotatedTime())))
        .row("next rotation", Fmt.time(Fmt.instant(s.hasNextRotationTime(), s.getNextRotationTime())))
        .row("pending version", Fmt.orDash(s.getPendingVersion()))
        .row("last error", Fmt.orDash(s.getLastError()))
        .toString();
  }

  @Command(name = "rotate", description = {
      "Rotate a secret now.",
      "The new value comes from the secret's generator, or from --value-file (- for stdin), which the external "
          + "generator requires."})
  static final class Rotate extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--value-file", paramLabel = "FILE", description = "The new value (- for stdin).")
    Path valueFile;

    @Override
    public Integer call() {
      RotateSecretResponse r;
      if (valueFile != null) {
        byte[] value = SecretCommands.readValue(this, valueFile);
        if (value.length == 0) {
          throw new CliException("refusing to rotate to an empty value", Sbctl.USAGE);
        }
        r = client().rotation().rotate(name, value);
      } else {
        r = client().rotation().rotate(name);
      }
      println("rotated " + r.getName() + " to version " + r.getNewVersion()
          + (r.getPreviousVersion().isEmpty() ? "" : " (previous " + r.getPreviousVersion() + ")"));
      return Sbctl.OK;
    }
  }

  @Command(name = "due", description = "Secrets due for rotation (overdue first), all pages.")
  static final class Due extends BaseCommand {
    @Option(names = "--within", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "Also those due within DURATION from now, e.g. 7d (default: only those already due).")
    Duration within = Duration.ZERO;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      Table table = new Table("NAME", "AGE (DAYS)", "DUE", "OVERDUE");
      try (Stream<DueRotation> due = client().rotation().due(within)) {
        due.forEach(d -> {
          if (json) {
            Map<String, Object> o = Json.object();
            o.put("name", d.getName());
            o.put("age_days", d.getAgeDays());
            o.put("due", Fmt.instant(d.hasDueTime(), d.getDueTime()));
            o.put("overdue", d.getOverdue());
            println(Json.write(o));
          } else {
            table.row(d.getName(), d.getAgeDays(), Fmt.time(Fmt.instant(d.hasDueTime(), d.getDueTime())),
                d.getOverdue() ? "yes" : "no");
          }
        });
      }
      if (!json) {
        print(table.toString());
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "status", description = "The rotation policy and state of one secret.")
  static final class Status extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      RotationStatus s = client().rotation().status(name);
      if (json) {
        println(Json.write(json(s)));
      } else {
        print(text(s));
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "policy", description = "Rotation policies.", subcommands = PolicySet.class)
  static final class PolicyGroup extends BaseCommand.Group {}

  @Command(name = "set", description = "Set the rotation policy of one secret; unset fields take the defaults.")
  static final class PolicySet extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "Time between rotations, e.g. 30d.")
    Duration interval;

    @Option(names = "--generator", paramLabel = "GEN",
        description = "password:LENGTH, random-bytes:LENGTH or external.")
    String generator;

    @Option(names = "--classes", paramLabel = "CLASS", split = ",",
        description = "Password character classes: lower, upper, digits, symbols.")
    List<String> classes = List.of();

    @Option(names = "--grace", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "How long the previous version stays readable, e.g. 24h.")
    Duration grace;

    @Option(names = "--json", description = "Print the resulting status as JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (interval == null && generator == null && grace == null) {
        throw usage("give at least one of --interval, --generator, --grace");
      }
      if (generator == null && !classes.isEmpty()) {
        throw usage("--classes needs --generator password:LENGTH");
      }
      RotationPolicy.Builder p = RotationPolicy.newBuilder();
      if (interval != null) {
        if (interval.isZero()) {
          throw usage("--interval must be positive");
        }
        p.setInterval(Fmt.duration(interval));
      }
      if (generator != null) {
        try {
          p.setGenerator(generator(generator, classes));
        } catch (IllegalArgumentException e) {
          throw usage(e.getMessage());
        }
      }
      if (grace != null) {
        p.setGracePeriod(Fmt.duration(grace));
      }
      RotationStatus s = client().rotation().setPolicy(name, p.build());
      if (json) {
        println(Json.write(json(s)));
      } else {
        print(text(s));
      }
      return Sbctl.OK;
    }
  }
}
