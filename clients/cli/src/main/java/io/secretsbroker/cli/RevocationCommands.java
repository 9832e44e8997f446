package io.secretsbroker.cli;

import io.secretsbroker.proto.v1.Revocation;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** revocations list; and the top-level revoke. */
@Command(name = "revocations", description = "List revoked secret versions.",
    subcommands = RevocationCommands.ListRevocations.class)
final class RevocationCommands extends BaseCommand.Group {

  @Command(name = "revoke", description = "Revoke one version of a secret: no replica serves it again.")
  static final class Revoke extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--version", required = true, paramLabel = "V", description = "The version to revoke.")
    String version;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded in the audit log).")
    String reason;

    @Override
    public Integer call() {
      if (reason.isBlank()) {
        throw usage("--reason must not be empty");
      }
      Revocation r = client().revocation().revoke(name, version, reason);
      println("revoked " + r.getName() + " version " + r.getVersion());
      return Sbctl.OK;
    }
  }

  @Command(name = "list", description = "Revocations under a prefix, newest first, all pages.")
  static final class ListRevocations extends BaseCommand {
    @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "", arity = "0..1")
    String prefix;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      Table table = new Table("REVOKED", "NAME", "VERSION", "BY", "REASON");
      try (Stream<Revocation> revocations = client().revocation().list(prefix)) {
        revocations.forEach(r -> {
          if (json) {
            Map<String, Object> o = Json.object();
            o.put("name", r.getName());
            o.put("version", r.getVersion());
            o.put("reason", r.getReason());
            o.put("principal", r.getPrincipal());
            o.put("revoked", Fmt.instant(r.hasRevokedTime(), r.getRevokedTime()));
            println(Json.write(o));
          } else {
            table.row(Fmt.time(Fmt.instant(r.hasRevokedTime(), r.getRevokedTime())), r.getName(), r.getVersion(),
                r.getPrincipal(), r.getReason());
          }
        });
      }
      if (!json) {
        print(table.toString());
      }
      return Sbctl.OK;
    }
  }
}
