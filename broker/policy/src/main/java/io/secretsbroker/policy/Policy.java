package io.secretsbroker.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed policy: its name and its path rules in file order.
 *
 * @param name the policy's name (a policy file's name without {@code .hcl}); {@code [A-Za-z0-9._-]+}
 * @param rules the stanzas in file order; a pattern may appear more than once (the stanzas are
 *     merged when a {@link PolicySet} compiles them, as Vault merges them); empty for an empty policy
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
   * Parses a policy written in Vault's policy syntax, HCL or JSON, strictly, accepting what Vault
   * accepts.
   *
   * <p>The text is JSON when its first character that is not whitespace is <code>{</code> (as in
   * Vault), HCL otherwise. Accepted: any number of {@code path "<pattern>" { ... }} stanzas
   * (repeated patterns included) with Vault's stanza keys, an ignored top-level {@code name}, and
   * HCL 1's comments, commas and value syntax. An empty file (or one holding only comments) is a
   * valid empty policy that grants nothing. Everything else is rejected: see
   * {@code docs/policies.md}.
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
    List<PathRule> rules = new ArrayList<>();
    for (PolicyDecoder.Stanza stanza : PolicyDecoder.decode(text, fileName)) {
      rules.add(stanza.rule());
    }
    return new Policy(name, rules);
  }
}
