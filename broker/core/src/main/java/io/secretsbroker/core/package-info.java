/**
 * The broker's core: {@link io.secretsbroker.core.SecretService} orders every request as
 * authorize → cache → backend → revocation check, over the mounts in {@link io.secretsbroker.core.routing}.
 * No gRPC class lives here; the server module turns {@link io.secretsbroker.core.BrokerException} into statuses.
 */
package io.secretsbroker.core;
