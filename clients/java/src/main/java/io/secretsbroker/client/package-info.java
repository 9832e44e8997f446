/**
 * The Java SDK of Secrets Broker: {@link io.secretsbroker.client.SecretsClient} reads, writes, lists and watches
 * secrets over the broker's gRPC API, with bearer-token or mTLS authentication, a deadline on every call and
 * bounded retries of {@code UNAVAILABLE}.
 *
 * <p>Applications need {@link io.secretsbroker.client.SecretsClient#get}, {@link
 * io.secretsbroker.client.SecretsClient#subscribe} and the value type {@link io.secretsbroker.client.Secret}.
 * Operators reach rotation, revocation, audit and token administration through {@link
 * io.secretsbroker.client.RotationClient}, {@link io.secretsbroker.client.RevocationClient}, {@link
 * io.secretsbroker.client.AuditClient} and {@link io.secretsbroker.client.AdminClient}, which speak the generated
 * {@code io.secretsbroker.proto.v1} message types. Every failure is a {@link
 * io.secretsbroker.client.SecretsBrokerException}; no message, {@code toString()} or log line carries a secret
 * value or a token.
 */
package io.secretsbroker.client;
