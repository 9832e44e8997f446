/**
 * The daemon's configuration: one YAML file, parsed into typed records and validated at start, every error
 * naming its key path; no file means dev mode.
 */
package io.secretsbroker.server.config;
