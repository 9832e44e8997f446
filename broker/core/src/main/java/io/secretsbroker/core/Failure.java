package io.secretsbroker.core;

/** The closed set of reasons a broker request fails; the server maps each to one gRPC status. */
public enum Failure {
  /** The request is malformed; the message names the field and rule. */
  INVALID_ARGUMENT,
  /** No caller identity could be established. */
  UNAUTHENTICATED,
  /** The caller's policies do not grant the capability on the path. */
  PERMISSION_DENIED,
  /** The secret or version does not exist. */
  NOT_FOUND,
  /** A check-and-set condition failed, or the version is revoked. */
  FAILED_PRECONDITION,
  /** The secret already exists. */
  ALREADY_EXISTS,
  /** The caller exceeded its rate limit, or the backend is throttling. */
  RESOURCE_EXHAUSTED,
  /** A backend or the state store cannot be reached, or the audit record could not be made durable. */
  UNAVAILABLE,
  /** A bug or an unexpected answer; details only in the log. */
  INTERNAL
}
