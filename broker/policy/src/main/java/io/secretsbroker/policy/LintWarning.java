package io.secretsbroker.policy;

import java.util.Objects;

/**
 * A legal but suspicious construct in a policy file, found by {@link PolicyLinter}.
 *
 * @param fileName the file (or source) name
 * @param line 1-based line of the construct
 * @param column 1-based column of the construct
 * @param message what is suspicious and what it means, in one line
 */
public record LintWarning(String fileName, int line, int column, String message) {

  /** Validates the arguments. */
  public LintWarning {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(message, "message");
  }

  /** Returns {@code file:line:column: warning: message}. */
  @Override
  public String toString() {
    return fileName + ":" + line + ":" + column + ": warning: " + message;
  }
}
