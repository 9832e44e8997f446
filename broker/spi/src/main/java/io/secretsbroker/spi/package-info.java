/**
 * The backend SPI: the narrow interface every secret store implements ({@link io.secretsbroker.spi.SecretBackend}),
 * the values it exchanges, its closed error model ({@link io.secretsbroker.spi.BackendException}) and the
 * {@link java.util.ServiceLoader} entry point ({@link io.secretsbroker.spi.BackendProvider}).
 *
 * <p>Nothing here knows about gRPC, caching, policies or audit: those wrap a backend from the outside.
 */
package io.secretsbroker.spi;
