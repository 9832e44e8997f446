/** Rotation: policies (interval, generator, grace), ages and due dates of secrets. */
package io.secretsbroker.core.rotation;
