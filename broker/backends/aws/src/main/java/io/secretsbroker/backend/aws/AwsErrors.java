package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns what the AWS SDK throws into the broker's closed error model. Messages name the secret and the rule,
 * and at most AWS's error code (an identifier such as {@code ThrottlingException}); never AWS's message text,
 * which may echo request data. The SDK exception is kept as the cause, for the log only.
 */
final class AwsErrors {

  /** What the failed call was doing: the same AWS error means different things to a write and to the rest. */
  enum Op {
    /** Writing a new version. */
    WRITE,
    /** Reading, listing, describing, deleting or moving stages. */
    OTHER
  }

  private static final Set<String> AUTH_CODES = Set.of("AccessDeniedException", "AccessDenied",
      "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
      "IncompleteSignature", "MissingAuthenticationToken", "ExpiredTokenException", "ExpiredToken",
      "NotAuthorized", "AuthFailure");
  private static final Set<String> KMS_CODES = Set.of("DecryptionFailure", "EncryptionFailure");
  private static final Set<String> INVALID_CODES = Set.of("InvalidParameterException", "ValidationException",
      "InvalidNextTokenException", "MalformedPolicyDocumentException");
  private static final Set<String> UNAVAILABLE_CODES = Set.of("InternalServiceError", "InternalFailure",
      "ServiceUnavailable", "ServiceUnavailableException");
  private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private AwsErrors() {}

  /** A safe description of one secret for messages: {@code secret 'db'}. */
  static String secret(String name) {
    return "secret '" + name + "'";
  }

  /**
   * Classifies a failure of a call about {@code subject}.
   *
   * @param subject what the call was about, e.g. {@code secret 'db'} (see {@link #secret})
   */
  static BackendException classify(Throwable t, String subject, Op op) {
    if (t instanceof BackendException b) {
      return b;
    }
    if (t instanceof AwsServiceException e) {
      return service(e, subject, op);
    }
    if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
      return new BackendException(ErrorCode.UNAVAILABLE,
          "AWS Secrets Manager did not answer in time (" + subject + ")", t);
    }
    if (t instanceof AbortedException) {
      return new BackendException(ErrorCode.UNAVAILABLE,
          "the call to AWS Secrets Manager was interrupted (" + subject + ")", t);
    }
    if (t instanceof SdkClientException && hasIoCause(t)) {
      return new BackendException(ErrorCode.UNAVAILABLE, "cannot reach AWS Secrets Manager (" + subject + ")", t);
    }
    if (t instanceof SdkClientException) {
      return new BackendException(ErrorCode.INTERNAL,
          "the AWS SDK failed before a usable answer (" + subject + "); check the broker's log", t);
    }
    return new BackendException(ErrorCode.INTERNAL,
        "unexpected failure in the AWS backend (" + subject + "); check the broker's log", t);
  }

  private static BackendException service(AwsServiceException e, String subject, Op op) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    code = code != null && SAFE_CODE.matcher(code).matches() ? code : "unknown";
    int status = e.statusCode();
    if (e.isThrottlingException() || code.equals("LimitExceededException")) {
      return new BackendException(ErrorCode.RESOURCE_EXHAUSTED,
          "AWS Secrets Manager is throttling requests or a quota is reached (" + code + ", " + subject + ")", e);
    }
    if (AUTH_CODES.contains(code) || status == 401 || status == 403) {
      return new BackendException(ErrorCode.PERMISSION_DENIED,
          "AWS Secrets Manager refused the broker's credentials for " + subject + " (" + code + ")", e);
    }
    if (KMS_CODES.contains(code)) {
      return new BackendException(ErrorCode.PERMISSION_DENIED,
          "AWS Secrets Manager cannot use the KMS key of " + subject + " (" + code + ")", e);
    }
    if (status >= 500 || UNAVAILABLE_CODES.contains(code)) {
      return new BackendException(ErrorCode.UNAVAILABLE,
          "AWS Secrets Manager failed (HTTP " + status + ", " + code + ") for " + subject, e);
    }
    switch (code) {
      case "ResourceNotFoundException":
        return new BackendException(ErrorCode.NOT_FOUND, subject + " not found", e);
      case "ResourceExistsException":
        return new BackendException(ErrorCode.CONFLICT, subject + " already exists", e);
      case "InvalidRequestException":
        // AWS answers this for a secret scheduled for deletion (and other states that forbid the call).
        return op == Op.WRITE
            ? new BackendException(ErrorCode.CONFLICT, subject + " cannot be written in its current state in AWS"
                + " Secrets Manager (for example, it is scheduled for deletion)", e)
            : new BackendException(ErrorCode.NOT_FOUND, subject + " not found (it may be scheduled for deletion"
                + " in AWS Secrets Manager)", e);
      default:
        if (INVALID_CODES.contains(code)) {
          return new BackendException(ErrorCode.INVALID_ARGUMENT,
              "AWS Secrets Manager rejected the request for " + subject + " as invalid (" + code + ")", e);
        }
        return new BackendException(ErrorCode.INTERNAL,
            "unexpected answer from AWS Secrets Manager (HTTP " + status + ", " + code + ") for " + subject, e);
    }
  }

  private static boolean hasIoCause(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      if (c instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
