package io.secretsbroker.cli;

import io.secretsbroker.proto.v1.CheckAccessResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** policy check, eval and lint (offline), policy test (asks the broker). */
@Command(name = "policy", description = "Check, evaluate and lint policy files; explain access decisions.",
    subcommands = {PolicyCommands.Check.class, PolicyOfflineCommands.Eval.class, PolicyOfflineCommands.Lint.class,
        PolicyCommands.Test.class})
final class PolicyCommands extends BaseCommand.Group {

  @Command(name = "check", description = {
      "Parse policy files offline with the broker's strict parser; print file:line:column for each fault.",
      "Exits 1 if any file does not parse."})
  static final class Check extends BaseCommand {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
      int failed = 0;
      for (Path file : files) {
        Path resolved = root().resolve(file);
        String text;
        try {
          text = Files.readString(resolved, StandardCharsets.UTF_8);
        } catch (IOException e) {
          io().err.println(file + ": cannot read (" + Fmt.reason(e) + ")");
          failed++;
          continue;
        }
        PolicyChecker.Result result = io().policyChecker.check(file, text);
        if (result.problem().isPresent()) {
          io().err.println(result.problem().get());
          failed++;
        } else {
          println(file + ": ok (" + result.summary() + ")");
        }
      }
      if (failed > 0) {
        io().err.println(failed + " of " + files.size() + (files.size() == 1 ? " file" : " files")
            + " failed to parse");
        return Sbctl.FAILED;
      }
      return Sbctl.OK;
    }
  }

  @Command(name = "test", description = {
      "Ask the broker whether a principal holds a capability on a secret, and which rule decides."})
  static final class Test extends BaseCommand {
    @Option(names = "--principal", required = true, paramLabel = "P")
    String principal;

    @Option(names = "--capability", required = true, paramLabel = "CAP",
        description = "read, list, create, update, delete, rotate, revoke or audit.")
    String capability;

    @Parameters(index = "0", paramLabel = "NAME", description = "Secret name (or sys/... path).")
    String name;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      CheckAccessResponse r = client().admin().checkAccess(principal, capability, name);
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("allowed", r.getAllowed());
        o.put("policy_path", r.getPolicyPath());
        o.put("matched_pattern", r.getMatchedPattern());
        o.put("policies", r.getPoliciesList());
        o.put("capabilities", r.getCapabilitiesList());
        o.put("principal_policies", r.getPrincipalPoliciesList());
        println(Json.write(o));
        return Sbctl.OK;
      }
      print(Table.fields()
          .row("decision", r.getAllowed() ? "allowed" : "denied")
          .row("principal", principal)
          .row("capability", capability)
          .row("policy path", r.getPolicyPath())
          .row("deciding rule", r.getMatchedPattern().isEmpty()
              ? "(no rule matches: denied by default)"
              : "path \"" + r.getMatchedPattern() + "\" in " + String.join(", ", r.getPoliciesList()))
          .row("rule grants", Fmt.orDash(String.join(", ", r.getCapabilitiesList())))
          .row("principal policies", Fmt.orDash(String.join(", ", r.getPrincipalPoliciesList())))
          .toString());
      return Sbctl.OK;
    }
  }
}
