package io.secretsbroker.policy;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code path "<pattern>" { capabilities = [...] }} stanza of a policy.
 *
 * @param pattern the path pattern as Vault reads it (one leading {@code /} removed), for example
 *     {@code secret/data/trading/*}
 * @param capabilities the capabilities granted; exactly {@code [deny]} when the stanza lists
 *     {@code deny} (Vault drops the others); may be empty, which grants nothing
 * @param line 1-based line of the pattern in its file
 * @param column 1-based column of the pattern in its file
 */
public record PathRule(String pattern, Set<Capability> capabilities, int line, int column) {

  /** Validates and copies the arguments. */
  public PathRule {
    Objects.requireNonNull(pattern, "pattern");
    EnumSet<Capability> copy = EnumSet.noneOf(Capability.class);
    copy.addAll(Objects.requireNonNull(capabilities, "capabilities"));
    if (copy.contains(Capability.DENY)) {
      copy = EnumSet.of(Capability.DENY);
    }
    capabilities = Collections.unmodifiableSet(copy);
  }
}
