package io.secretsbroker.policy;

import java.util.List;
import java.util.Objects;

/**
 * A parsed policy: its name and its path rules in file order.
 *
 * @param name the policy's name (a policy file's name without {@code .hcl}); {@code [A-Za-z0-9._-]+}
 * @param rules the stanzas in file order; each pattern appears once; empty for an empty policy
 */
public record Policy(String name, List<PathRule> rules) {

  /** Validates and copies the arguments. */
  public Policy {
    Objects.requireNonNull(name, "name");
    if (!Texts.isPolicyName(name)) {
      throw new IllegalArgumentException("invalid policy name " + Texts.quote(name)
          + ": use 1 to 128 characters of [A-Za-z0-9._-]");
    }
    rules = List.copyOf(rules);
  }

  /**
   * Parses a policy written in Vault's HCL policy syntax, strictly.
   *
   * <p>Accepted: any number of {@code path "<pattern>" { ... }} stanzas holding
   * {@code capabilities = [ "read", ... ]} (trailing comma allowed) and optionally
   * {@code comment = "..."}; {@code #}, {@code //} and {@code /* *}{@code /} comments; whitespace and
   * newlines between any two tokens. An empty file (or one holding only comments) is a valid empty
   * policy that grants nothing. Everything else is rejected: see {@code docs/policies.md}.
   *
   * @param name the policy's name, {@code [A-Za-z0-9._-]+}
   * @param fileName the file (or source) name used in error messages
   * @param text the policy text
   * @return the policy
   * @throws PolicyParseException if the text is not a valid policy; it names file, line and column
   * @throws IllegalArgumentException if {@code name} is not a valid policy name
   */
  public static Policy parse(String name, String fileName, String text) {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(text, "text");
    if (!Texts.isPolicyName(name)) {
      throw new IllegalArgumentException("invalid policy name " + Texts.quote(name)
          + ": use 1 to 128 characters of [A-Za-z0-9._-]");
    }
    return new Policy(name, new Parser(text, fileName).parseRules());
  }
}
