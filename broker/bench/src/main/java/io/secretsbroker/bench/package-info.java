/** JMH benchmarks of the broker through its real gRPC server; run with {@code ./bench}. */
package io.secretsbroker.bench;
