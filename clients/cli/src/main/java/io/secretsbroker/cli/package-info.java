/**
 * {@code sbctl}, the operator and auditor command line of Secrets Broker, built on the Java SDK.
 *
 * <p>{@link io.secretsbroker.cli.Sbctl} is the entry point; it runs in-process with its environment, working
 * directory and streams injected, and returns the exit code: 0 success, 1 a failure reported by the broker (or a
 * failed check), 2 a usage error. Errors print as {@code error: CODE: message} on stderr, never as a stack trace,
 * and never carry a secret value or a token.
 */
package io.secretsbroker.cli;
