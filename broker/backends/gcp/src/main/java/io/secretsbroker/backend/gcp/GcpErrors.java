package io.secretsbroker.backend.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns GCP client failures into {@link BackendException}s. Messages name the secret, the action and the gRPC
 * code only; the SDK's own message and the exception go into the cause, which is only ever logged.
 */
final class GcpErrors {
  private GcpErrors() {}

  /**
   * The broker's code for a gRPC status code from GCP.
   *
   * <p>{@code FAILED_PRECONDITION} and {@code ABORTED} are what GCP answers for an etag that no longer matches,
   * so they mean a lost race ({@code CONFLICT}); {@code INTERNAL}, {@code UNKNOWN} and {@code CANCELLED} are
   * server-side or connection failures (HTTP 5xx), as retryable as {@code UNAVAILABLE}. {@code INVALID_ARGUMENT}
   * is {@code INTERNAL}: the backend validates everything a caller controls before calling GCP.
   */
  static ErrorCode classify(StatusCode.Code code) {
    return switch (code) {
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> ErrorCode.CONFLICT;
      case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
      case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, CANCELLED -> ErrorCode.UNAVAILABLE;
      case PERMISSION_DENIED, UNAUTHENTICATED -> ErrorCode.PERMISSION_DENIED;
      default -> ErrorCode.INTERNAL;
    };
  }

  /** The gRPC code of {@code failure} (looking through future wrappers), or null when it is not a GCP error. */
  static StatusCode.Code codeOf(Throwable failure) {
    ApiException api = apiException(failure);
    return api == null ? null : api.getStatusCode().getCode();
  }

  /** Whether {@code failure} is GCP saying the etag sent no longer matches. */
  static boolean isEtagMismatch(Throwable failure) {
    StatusCode.Code code = codeOf(failure);
    return code == StatusCode.Code.FAILED_PRECONDITION || code == StatusCode.Code.ABORTED;
  }

  /**
   * The exception to throw for {@code failure} while trying to {@code action} {@code subject}.
   *
   * @param subject what the call was about, e.g. {@code "secret 'db'"}
   * @param action the verb, e.g. {@code "read"}
   */
  static BackendException translate(Throwable failure, String subject, String action) {
    if (failure instanceof BackendException be) {
      return be;
    }
    StatusCode.Code code = codeOf(failure);
    if (code == null) {
      return new BackendException(ErrorCode.INTERNAL,
          "the GCP Secret Manager client failed; could not " + action + " " + subject, failure);
    }
    ErrorCode mapped = classify(code);
    String message = switch (mapped) {
      case NOT_FOUND -> subject + " not found";
      case CONFLICT -> "could not " + action + " " + subject + ": it changed concurrently (" + code + ")";
      case PERMISSION_DENIED -> "GCP Secret Manager refused the broker's credentials; could not " + action + " "
          + subject + " (" + code + ")";
      case RESOURCE_EXHAUSTED -> "GCP Secret Manager is throttling; could not " + action + " " + subject
          + " (" + code + ")";
      case UNAVAILABLE -> "GCP Secret Manager is unavailable; could not " + action + " " + subject
          + " (" + code + ")";
      default -> "GCP Secret Manager answered " + code + "; could not " + action + " " + subject;
    };
    return new BackendException(mapped, message, failure);
  }

  private static ApiException apiException(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 8; depth++) {
      if (t instanceof ApiException api) {
        return api;
      }
      if (!(t instanceof ExecutionException || t instanceof CompletionException
          || t.getClass().getName().endsWith("UncheckedExecutionException"))) {
        return null;
      }
      t = t.getCause();
    }
    return null;
  }
}
