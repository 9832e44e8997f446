package io.secretsbroker.cli;

import io.secretsbroker.policy.AccessRequest;
import io.secretsbroker.policy.Capability;
import io.secretsbroker.policy.Decision;
import io.secretsbroker.policy.LintWarning;
import io.secretsbroker.policy.Policy;
import io.secretsbroker.policy.PolicyLinter;
import io.secretsbroker.policy.PolicyParseException;
import io.secretsbroker.policy.PolicyPaths;
import io.secretsbroker.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code policy eval} and {@code policy lint}: the broker's policy engine, run locally on files; no broker needed. */
final class PolicyOfflineCommands {
  private PolicyOfflineCommands() {}

  /** The policy a file defines: its file name without {@code .hcl} or {@code .json}. */
  static String policyName(Path file) {
    String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    for (String suffix : List.of(".hcl", ".json")) {
      if (fileName.endsWith(suffix)) {
        return fileName.substring(0, fileName.length() - suffix.length());
      }
    }
    return fileName;
  }

  static String read(BaseCommand command, Path file) {
    try {
      return Files.readString(command.root().resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(file + ": cannot read (" + Fmt.reason(e) + ")");
    }
  }

  @Command(name = "eval", description = {
      "Decide, offline, what the policies of the given files grant on each PATH, as the broker (and Vault) would:",
      "all files are attached to ONE caller, as Vault attaches several policies to one token.",
      "Prints PATH<TAB>allow|deny<TAB>deciding rule per path. Exits 0 either way; 2 if a file does not parse."})
  static final class Eval extends BaseCommand {
    @Option(names = "--policy-file", required = true, paramLabel = "FILE",
        description = "A policy file (HCL or JSON); the policy's name is the file name without .hcl/.json. Repeatable.")
    List<Path> policyFiles;

    @Option(names = "--capability", required = true, paramLabel = "CAP",
        description = "read, list, create, update, delete, rotate, revoke, audit (or Vault's sudo, patch, subscribe, recover).")
    String capability;

    @Option(names = "--secret", paramLabel = "NAME",
        description = "A secret name, mapped to its policy path as the broker maps it for CAP (list: secret/metadata/NAME,"
            + " others: secret/data/NAME; sys/... as is). Repeatable.")
    List<String> secrets = new ArrayList<>();

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "A policy path as written in policies, e.g. secret/data/app/db.")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() {
      Capability cap = Capability.fromHclName(capability).filter(c -> c != Capability.DENY).orElseThrow(() -> usage(
          "--capability: \"" + capability + "\" is not a capability a request asks for; use read, list, create, update,"
              + " delete, rotate, revoke, audit, sudo, patch, subscribe or recover"));
      if (paths.isEmpty() && secrets.isEmpty()) {
        throw usage("give at least one PATH or --secret NAME");
      }
      Map<String, Path> files = new TreeMap<>();
      List<Policy> policies = new ArrayList<>();
      for (Path file : policyFiles) {
        String name = policyName(file);
        Path other = files.put(name, file);
        if (other != null) {
          throw usage(file + " and " + other + " both define the policy \"" + name + "\"");
        }
        String text = read(this, file);
        try {
          policies.add(Policy.parse(name, file.toString(), text));
        } catch (PolicyParseException e) {
          io().err.println(e.getMessage());
          return Sbctl.USAGE;
        } catch (IllegalArgumentException e) {
          throw usage(file + ": " + e.getMessage());
        }
      }
      PolicySet set = PolicySet.of(policies);
      List<AccessRequest> requests = new ArrayList<>();
      paths.forEach(path -> requests.add(new AccessRequest(cap, path)));
      secrets.forEach(name -> requests.add(PolicyPaths.forCheck(cap, name)));
      for (AccessRequest request : requests) {
        Decision d = set.decide(set.names(), request);
        println(request.path() + "\t" + (d.allowed() ? "allow" : "deny") + "\t" + rule(d));
      }
      return Sbctl.OK;
    }

    private static String rule(Decision d) {
      if (d.matchedPattern().isEmpty()) {
        return "no matching rule";
      }
      return "path \"" + d.matchedPattern().get() + "\" in " + (d.policies().size() == 1 ? "policy " : "policies ")
          + String.join(", ", d.policies()) + (d.explicitlyDenied() ? " (deny)" : "");
    }
  }

  @Command(name = "lint", description = {
      "Warn about legal but suspicious policies: a literal '*' or '+', deny with other capabilities, Vault-only",
      "capabilities, empty capabilities, repeated stanzas (merged), paths no broker operation reaches, unenforced keys.",
      "Exits 0 with warnings printed; 2 if a file does not parse; 1 if a file cannot be read."})
  static final class Lint extends BaseCommand {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
      int exit = Sbctl.OK;
      for (Path file : files) {
        String text;
        try {
          text = read(this, file);
        } catch (CliException e) {
          io().err.println(e.getMessage());
          exit = Math.max(exit, Sbctl.FAILED);
          continue;
        }
        try {
          List<LintWarning> warnings = PolicyLinter.lint(file.toString(), text);
          warnings.forEach(w -> println(w.toString()));
          if (warnings.isEmpty()) {
            println(file + ": no warnings");
          }
        } catch (PolicyParseException e) {
          io().err.println(e.getMessage());
          exit = Sbctl.USAGE;
        }
      }
      return exit;
    }
  }
}
