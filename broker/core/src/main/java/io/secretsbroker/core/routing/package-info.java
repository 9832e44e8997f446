/** Mounts: which backend serves which name prefix, chosen by longest prefix match. */
package io.secretsbroker.core.routing;
