/**
 * Access policies in Vault's HCL syntax with Vault's matching rules.
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
 *   <li>{@link io.secretsbroker.policy.PolicyStore} loads every {@code *.hcl} file of a folder into
 *       a {@code PolicySet} and swaps in a new set, all or nothing, when the files change.</li>
 *   <li>{@link io.secretsbroker.policy.Policy#parse} is the strict parser; malformed input fails
 *       with a {@link io.secretsbroker.policy.PolicyParseException} naming file, line and column.</li>
 * </ul>
 * Everything public here is immutable or thread-safe. The lexer, parser and compiled matcher are
 * package-private.
 */
package io.secretsbroker.policy;
