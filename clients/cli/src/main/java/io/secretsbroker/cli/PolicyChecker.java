package io.secretsbroker.cli;

import java.nio.file.Path;
import java.util.Optional;

/** Checks one policy file offline, as the broker would parse it. */
interface PolicyChecker {
  /**
   * Parses the policy {@code text} read from {@code file}.
   *
   * @return the problem as {@code file:line:column: detail}, or a summary of the policy when it is valid
   */
  Result check(Path file, String text);

  /** The outcome: a problem, or a one-line summary of a valid policy. */
  record Result(Optional<String> problem, String summary) {
    static Result ok(String summary) {
      return new Result(Optional.empty(), summary);
    }

    static Result problem(String problem) {
      return new Result(Optional.of(problem), "");
    }
  }
}
