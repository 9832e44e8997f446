package io.secretsbroker.cli;

import io.secretsbroker.client.Secret;
import io.secretsbroker.client.SecretDescription;
import io.secretsbroker.client.SecretSummary;
import io.secretsbroker.client.Stage;
import io.secretsbroker.client.VersionMetadata;
import io.secretsbroker.proto.v1.Generator;
import io.secretsbroker.proto.v1.RotationPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** put, get, list, describe, delete. */
final class SecretCommands {
  /** Values larger than this are refused before anything is sent. */
  static final int MAX_VALUE_BYTES = 1024 * 1024;

  private SecretCommands() {}

  /** Reads a value from a file ({@code -} for stdin), refusing more than {@link #MAX_VALUE_BYTES}. */
  static byte[] readValue(BaseCommand command, Path file) {
    if (file == null || file.toString().equals("-")) {
      return readBounded(command.io().in, "stdin");
    }
    Path resolved = command.root().resolve(file);
    try (InputStream in = Files.newInputStream(resolved)) {
      return readBounded(in, file.toString());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + Fmt.reason(e));
    }
  }

  private static byte[] readBounded(InputStream in, String source) {
    byte[] value;
    try {
      value = in.readNBytes(MAX_VALUE_BYTES + 1);
    } catch (IOException e) {
      throw new CliException("cannot read the value from " + source + ": " + Fmt.reason(e));
    }
    if (value.length > MAX_VALUE_BYTES) {
      throw new CliException("the value from " + source + " is larger than 1 MiB", Sbctl.USAGE);
    }
    return value;
  }

  /** JSON of a secret, the value base64-encoded as {@code value_base64}. */
  static Map<String, Object> json(Secret s) {
    Map<String, Object> o = Json.object();
    o.put("name", s.name());
    o.put("version", s.version());
    o.put("stages", Fmt.stages(s.stages()));
    o.put("created", s.createdAt());
    o.put("ttl", Durations.format(s.cacheTtl()));
    o.put("value_base64", Base64.getEncoder().encodeToString(s.value()));
    return o;
  }

  static String generator(Generator g) {
    return switch (g.getKind()) {
      case KIND_PASSWORD -> "password:" + (g.getLength() == 0 ? 32 : g.getLength())
          + (g.getCharacterClassesCount() == 0 ? "" : " (" + String.join(",", g.getCharacterClassesList()) + ")");
      case KIND_RANDOM_BYTES -> "random-bytes:" + (g.getLength() == 0 ? 32 : g.getLength());
      case KIND_EXTERNAL -> "external";
      default -> "default";
    };
  }

  static Map<String, Object> json(RotationPolicy p) {
    Map<String, Object> o = Json.object();
    o.put("interval", p.hasInterval() ? Durations.format(Fmt.duration(p.getInterval())) : null);
    o.put("generator", generator(p.getGenerator()));
    o.put("grace", p.hasGracePeriod() ? Durations.format(Fmt.duration(p.getGracePeriod())) : null);
    return o;
  }

  @Command(name = "put", description = {
      "Write a new version of a secret; it becomes current.",
      "The value is read from stdin unless --file is given; it is stored byte for byte (mind trailing newlines)."})
  static final class Put extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Secret name, e.g. trading/db-password.")
    String name;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE (- for stdin).")
    Path file;

    @Option(names = "--value", paramLabel = "VALUE", description = "The value as an argument; needs "
        + "--insecure-value-arg, since arguments leak into shell history and the process list.")
    String value;

    @Option(names = "--insecure-value-arg", description = "Accept that --value leaks the secret.")
    boolean insecureValueArg;

    @Option(names = "--cas", paramLabel = "VERSION", description = "Write only if the current version is VERSION "
        + "('' = only if the secret does not exist yet).")
    String cas;

    @Option(names = "--json", description = "Print the new version as JSON.")
    boolean json;

    @Override
    public Integer call() {
      byte[] bytes;
      if (value != null) {
        if (!insecureValueArg) {
          throw usage("--value exposes the secret in shell history and `ps`; pipe it on stdin or use --file, "
              + "or add --insecure-value-arg");
        }
        if (file != null) {
          throw usage("--value and --file are mutually exclusive");
        }
        bytes = value.getBytes(StandardCharsets.UTF_8);
      } else {
        bytes = readValue(this, file);
      }
      if (bytes.length == 0) {
        throw new CliException("refusing to write an empty value (was stdin empty?)", Sbctl.USAGE);
      }
      VersionMetadata written = cas == null ? client().put(name, bytes) : client().put(name, bytes, cas);
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("name", name);
        o.put("version", written.version());
        o.put("stages", Fmt.stages(written.stages()));
        o.put("created", written.createdAt());
        println(Json.write(o));
      } else {
        println("wrote " + name + " version " + written.version());
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "get", description = {
      "Read a secret. Prints the raw value bytes (no newline added) unless --json is given."})
  static final class Get extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @ArgGroup(exclusive = true)
    Selector selector;

    static final class Selector {
      @Option(names = "--version", paramLabel = "V", description = "Read version V.")
      String version;

      @Option(names = "--stage", paramLabel = "STAGE", description = "Read the version holding STAGE: "
          + "current, previous or pending.")
      Stage stage;
    }

    @Option(names = "--json", description = "Print name, version, stages, created, ttl and value_base64 as JSON.")
    boolean json;

    @Override
    public Integer call() {
      Secret secret;
      if (selector != null && selector.version != null) {
        secret = client().getVersion(name, selector.version);
      } else if (selector != null && selector.stage != null) {
        secret = client().get(name, selector.stage);
      } else {
        secret = client().get(name);
      }
      if (json) {
        println(Json.write(json(secret)));
      } else {
        out().writeBytes(secret.value());
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "list", description = "List secret names under a prefix (all pages), in name order.")
  static final class ListSecrets extends BaseCommand {
    @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "", arity = "0..1",
        description = "Only names starting with PREFIX.")
    String prefix;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      try (Stream<SecretSummary> secrets = client().list(prefix)) {
        secrets.forEach(s -> {
          if (json) {
            Map<String, Object> o = Json.object();
            o.put("name", s.name());
            o.put("current_version", s.currentVersion());
            o.put("created", s.createdAt());
            o.put("updated", s.updatedAt());
            println(Json.write(o));
          } else {
            println(s.name());
          }
        });
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "describe", description = "Show a secret's versions, stages, rotation policy and times.")
  static final class Describe extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      SecretDescription d = client().describe(name);
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("name", d.name());
        o.put("mount", d.mount());
        o.put("backend", d.backend());
        o.put("created", d.createdAt());
        o.put("updated", d.updatedAt());
        o.put("last_rotated", d.lastRotatedAt());
        o.put("next_rotation", d.nextRotationAt());
        o.put("rotation_policy", json(d.rotationPolicy()));
        o.put("versions", d.versions().stream().map(v -> {
          Map<String, Object> vo = Json.object();
          vo.put("version", v.version());
          vo.put("stages", Fmt.stages(v.stages()));
          vo.put("created", v.createdAt());
          vo.put("revoked", v.revoked());
          return vo;
        }).toList());
        println(Json.write(o));
        return Sbctl.OK;
      }
      RotationPolicy p = d.rotationPolicy();
      print(Table.fields()
          .row("name", d.name())
          .row("mount", d.mount().isEmpty() ? "(root)" : d.mount())
          .row("backend", d.backend())
          .row("created", Fmt.time(d.createdAt()))
          .row("updated", Fmt.time(d.updatedAt()))
          .row("last rotated", Fmt.time(d.lastRotatedAt()))
          .row("next rotation", Fmt.time(d.nextRotationAt()))
          .row("rotation interval", p.hasInterval() ? Durations.format(Fmt.duration(p.getInterval())) : "default")
          .row("generator", generator(p.getGenerator()))
          .row("grace period", p.hasGracePeriod() ? Durations.format(Fmt.duration(p.getGracePeriod())) : "default")
          .toString());
      println("");
      Table versions = new Table("VERSION", "STAGES", "CREATED", "REVOKED");
      for (VersionMetadata v : d.versions()) {
        versions.row(v.version(), v.stages().isEmpty() ? "-" : String.join(",", Fmt.stages(v.stages())),
            Fmt.time(v.createdAt()), v.revoked() ? "yes" : "no");
      }
      print(versions.toString());
      return Sbctl.OK;
    }
  }

  @Command(name = "delete", description = "Delete a secret and all its versions.")
  static final class Delete extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      client().delete(name);
      println("deleted " + name);
      return Sbctl.OK;
    }
  }
}
