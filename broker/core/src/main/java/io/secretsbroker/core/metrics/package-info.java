/** The broker's metrics, named once here, exported in Prometheus format by the server. */
package io.secretsbroker.core.metrics;
