/**
 * {@code ./bench}: a one-command load benchmark of cached {@code GetSecret} in three legs — the daemon with audit
 * on, the daemon with audit off, and a bare grpc-java echo server as the transport ceiling — each server in its
 * own JVM, driven by one closed-loop client over one HTTP/2 connection.
 */
package io.secretsbroker.bench;
