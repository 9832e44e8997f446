/**
 * Test support shared by every module: {@link io.secretsbroker.testkit.SecretBackendContract}, the one suite
 * every backend passes, and {@link io.secretsbroker.testkit.FakeClock}.
 */
package io.secretsbroker.testkit;
