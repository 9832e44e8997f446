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
 * @param constraints what the stanza says besides capabilities, parsed but not enforced; always
 *     {@link PathConstraints#NONE} for a {@code deny} stanza (Vault does not read them there)
 */
public record PathRule(String pattern, Set<Capability> capabilities, int line, int column, PathConstraints constraints) {

  /** Validates and copies the arguments. */
  public PathRule {
    Objects.requireNonNull(pattern, "pattern");
    EnumSet<Capability> copy = EnumSet.noneOf(Capability.class);
    copy.addAll(Objects.requireNonNull(capabilities, "capabilities"));
    if (copy.contains(Capability.DENY)) {
      copy = EnumSet.of(Capability.DENY);
      constraints = PathConstraints.NONE;
    }
    capabilities = Collections.unmodifiableSet(copy);
    Objects.requireNonNull(constraints, "constraints");
  }

  /** A rule with no constraint besides its capabilities. */
  public PathRule(String pattern, Set<Capability> capabilities, int line, int column) {
    this(pattern, capabilities, line, column, PathConstraints.NONE);
  }

  /** Returns {@code true} when the rule carries {@code deny}. */
  public boolean denies() {
    return capabilities.contains(Capability.DENY);
  }
}
