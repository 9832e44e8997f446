/** The daemon: {@link io.secretsbroker.server.Main} parses flags, {@link io.secretsbroker.server.grpc.BrokerServer} wires and runs it. */
package io.secretsbroker.server;
