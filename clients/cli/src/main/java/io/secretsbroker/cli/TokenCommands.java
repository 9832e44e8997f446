package io.secretsbroker.cli;

import io.secretsbroker.client.CreatedToken;
import io.secretsbroker.proto.v1.TokenInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** token create, revoke, list. */
@Command(name = "token", description = "Create, revoke and list bearer tokens.",
    subcommands = {TokenCommands.Create.class, TokenCommands.Revoke.class, TokenCommands.ListTokens.class})
final class TokenCommands extends BaseCommand.Group {
  static Map<String, Object> json(TokenInfo t) {
    Map<String, Object> o = Json.object();
    o.put("id", t.getId());
    o.put("principal", t.getPrincipal());
    o.put("policies", t.getPoliciesList());
    o.put("created", Fmt.instant(t.hasCreatedTime(), t.getCreatedTime()));
    o.put("expires", Fmt.instant(t.hasExpireTime(), t.getExpireTime()));
    o.put("revoked", t.getRevoked());
    return o;
  }

  @Command(name = "create", description = {
      "Create a bearer token. The token is printed once: the broker keeps only its hash."})
  static final class Create extends BaseCommand {
    @Option(names = "--principal", required = true, paramLabel = "P", description = "Principal it authenticates as.")
    String principal;

    @Option(names = "--policy", paramLabel = "POLICY", description = "Policy to attach (repeatable).")
    List<String> policies = List.of();

    @Option(names = "--ttl", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "Lifetime, e.g. 720h (default: the broker's, 720h).")
    Duration ttl = Duration.ZERO;

    @Option(names = "--json", description = "Print token and metadata as JSON.")
    boolean json;

    @Override
    public Integer call() {
      CreatedToken created = client().admin().createToken(principal, policies, ttl);
      TokenInfo info = created.info();
      if (json) {
        Map<String, Object> o = json(info);
        o.put("token", created.token());
        println(Json.write(o));
      } else {
        print(Table.fields()
            .row("token", created.token())
            .row("id", info.getId())
            .row("principal", info.getPrincipal())
            .row("policies", String.join(",", info.getPoliciesList()))
            .row("expires", Fmt.time(Fmt.instant(info.hasExpireTime(), info.getExpireTime())))
            .toString());
        println("The token is shown only once; store it now.");
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "revoke", description = "Revoke a token by its id (see `token list`).")
  static final class Revoke extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      client().admin().revokeToken(id);
      println("revoked token " + id);
      return Sbctl.OK;
    }
  }

  @Command(name = "list", description = "List tokens' metadata, newest first (never the tokens themselves).")
  static final class ListTokens extends BaseCommand {
    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      List<TokenInfo> tokens = client().admin().listTokens();
      if (json) {
        tokens.forEach(t -> println(Json.write(json(t))));
        return Sbctl.OK;
      }
      Table table = new Table("ID", "PRINCIPAL", "POLICIES", "CREATED", "EXPIRES", "REVOKED");
      for (TokenInfo t : tokens) {
        table.row(t.getId(), t.getPrincipal(), Fmt.orDash(String.join(",", t.getPoliciesList())),
            Fmt.time(Fmt.instant(t.hasCreatedTime(), t.getCreatedTime())),
            Fmt.time(Fmt.instant(t.hasExpireTime(), t.getExpireTime())), t.getRevoked() ? "yes" : "no");
      }
      print(table.toString());
      return Sbctl.OK;
    }
  }
}
