/**
 * The GCP Secret Manager backend: {@link io.secretsbroker.backend.gcp.GcpBackendProvider} builds a backend for a
 * mount from its settings ({@code type: gcp}).
 *
 * <p>Broker names map to secret ids through a reversible, order-preserving escape ({@code GcpNames}); versions are
 * GCP's own numbered versions; stages are annotations on the secret that the broker moves with the secret's etag,
 * which gives an atomic check-and-set. Everything else here is package-private.
 */
package io.secretsbroker.backend.gcp;
