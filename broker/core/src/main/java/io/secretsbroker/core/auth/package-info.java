/** Caller identity: principals, bearer tokens (stored as hashes) and the dev root token. */
package io.secretsbroker.core.auth;
