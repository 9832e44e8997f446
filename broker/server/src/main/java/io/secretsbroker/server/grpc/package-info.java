/**
 * The gRPC face of the broker: interceptors (request id, identity, audit), the services that validate requests
 * and call the core, and {@link io.secretsbroker.server.grpc.StatusMapper}, the only place errors become statuses.
 */
package io.secretsbroker.server.grpc;
