package io.secretsbroker.cli;

import io.secretsbroker.policy.Policy;
import io.secretsbroker.policy.PolicyException;
import java.nio.file.Path;

/** Checks policies with the broker's own strict parser ({@code broker-policy}). */
final class HclPolicyChecker implements PolicyChecker {
  @Override
  public Result check(Path file, String text) {
    String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String name = fileName.endsWith(".hcl") ? fileName.substring(0, fileName.length() - 4) : fileName;
    try {
      Policy policy = Policy.parse(name, file.toString(), text);
      int rules = policy.rules().size();
      return Result.ok("policy \"" + policy.name() + "\", " + rules + (rules == 1 ? " rule" : " rules"));
    } catch (PolicyException e) {
      return Result.problem(e.getMessage());
    } catch (IllegalArgumentException e) {
      return Result.problem(file + ": " + e.getMessage());
    }
  }
}
