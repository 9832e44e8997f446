/**
 * Access policies in Vault's policy syntax (HCL or JSON) with Vault's matching rules.
 *
 * <p>What lives here, in the order a request meets it:
 * <ul>
 *   <li>{@link io.secretsbroker.policy.PolicyPaths} maps a broker operation on a secret name to the
 *       capability and policy path it needs (for example a read of {@code trading/db} needs
 *       {@code read} on {@code secret/data/trading/db}).</li>
 *   <li>{@link io.secretsbroker.policy.PolicyBindings} resolves a principal to the names of its
 *       policies.</li>
 *   <li>{@link io.secretsbroker.policy.PolicySet} is an immutable set of parsed policies; it decides
 *       an {@link io.secretsbroker.policy.AccessRequest} for a set of policy names and explains the
 *       outcome as a {@link io.secretsbroker.policy.Decision}.</li>
 *   <li>{@link io.secretsbroker.policy.PolicyStore} loads every {@code *.hcl} and {@code *.json}
 *       file of a folder into a {@code PolicySet} and swaps in a new set, all or nothing, when the
 *       files change.</li>
 *   <li>{@link io.secretsbroker.policy.Policy#parse} is the strict parser: it accepts what Vault
 *       accepts and fails otherwise with a {@link io.secretsbroker.policy.PolicyParseException}
 *       naming file, line and column. Stanza fields Vault has and the broker does not enforce are
 *       kept as {@link io.secretsbroker.policy.PathConstraints}.</li>
 *   <li>{@link io.secretsbroker.policy.PolicyLinter} reports legal but suspicious constructs as
 *       {@link io.secretsbroker.policy.LintWarning}s.</li>
 * </ul>
 * Everything public here is immutable or thread-safe. The lexers, parsers, syntax tree, decoder and
 * compiled matcher are package-private: {@code Lexer} and {@code HclParser} (HCL 1),
 * {@code JsonParser}, {@code Node}, {@code PolicyDecoder} (Vault's checks), {@code PathPattern} and
 * {@code Acl} (Vault's {@code NewACL} and {@code AllowOperation}).
 */
package io.secretsbroker.policy;
