/**
 * The broker's side of access control: the {@link io.secretsbroker.core.policy.AccessControl} that allows or refuses them.
 */
package io.secretsbroker.core.policy;
