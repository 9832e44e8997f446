package io.secretsbroker.backend.azure;

import com.azure.core.exception.HttpResponseException;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Turns what the Key Vault SDK throws into {@link BackendException}s with a code from the closed set and a message
 * safe for a caller: the secret's broker name, what was being done, and at most Key Vault's error code (a fixed
 * word such as {@code Forbidden}), never Key Vault's message text. The SDK's exception is kept as the cause, which
 * is only logged.
 *
 * <p>Mapping: 400 INVALID_ARGUMENT; 401 and 403 PERMISSION_DENIED; 404 NOT_FOUND; 409 UNAVAILABLE while Key Vault
 * is still deleting or recovering the name (retrying helps), otherwise CONFLICT; 429 RESOURCE_EXHAUSTED; 5xx,
 * I/O failures and timeouts UNAVAILABLE; anything else INTERNAL.
 */
final class AzureErrors {
  private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z0-9_.]{1,64}");

  private AzureErrors() {}

  /**
   * Maps {@code failure}.
   *
   * @param failure what the SDK threw
   * @param subject what was being done, e.g. {@code "reading secret 'db'"}
   * @param name the broker name of the secret concerned, or null when the call concerned none
   */
  static BackendException map(Throwable failure, String subject, String name) {
    if (failure instanceof BackendException be) {
      return be;
    }
    HttpResponseException http = find(failure, HttpResponseException.class);
    if (http != null && http.getResponse() != null) {
      return fromStatus(http, subject, name);
    }
    if (http != null) {
      return new BackendException(ErrorCode.PERMISSION_DENIED, "could not obtain an access token for Key Vault while "
          + subject, failure);
    }
    boolean interrupted = find(failure, InterruptedException.class) != null;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (interrupted || find(failure, IOException.class) != null || find(failure, TimeoutException.class) != null) {
      return BackendException.unavailable("Key Vault could not be reached while " + subject, failure);
    }
    return new BackendException(ErrorCode.INTERNAL, "unexpected failure from Key Vault while " + subject,
        failure);
  }

  /** Whether {@code failure} is an HTTP 404 from Key Vault. */
  static boolean isNotFound(Throwable failure) {
    HttpResponseException http = find(failure, HttpResponseException.class);
    return http != null && http.getResponse() != null && http.getResponse().getStatusCode() == 404;
  }

  private static BackendException fromStatus(HttpResponseException e, String subjectText, String name) {
    int status = e.getResponse().getStatusCode();
    ErrorInfo info = errorInfo(e);
    String detail = " (HTTP " + status + (info.code() == null ? "" : " " + info.code())
        + (info.innerCode() == null ? "" : "/" + info.innerCode()) + ")";
    String subject = " while " + subjectText;
    if (status == 400) {
      return new BackendException(ErrorCode.INVALID_ARGUMENT, "Key Vault rejected the request" + subject + detail,
          e);
    }
    if (status == 401 || status == 403) {
      return new BackendException(ErrorCode.PERMISSION_DENIED,
          "Key Vault refused the broker's credentials" + subject + detail, e);
    }
    if (status == 404) {
      return new BackendException(ErrorCode.NOT_FOUND,
          name == null ? "not found" + subject : "secret '" + name + "' not found", e);
    }
    if (status == 409) {
      String inner = info.innerCode() == null ? "" : info.innerCode();
      if (inner.equals("ObjectIsBeingDeleted") || inner.equals("ObjectIsBeingRecovered")) {
        return BackendException.unavailable("Key Vault is still deleting or recovering the name" + subject + detail,
            e);
      }
      if (inner.equals("ObjectIsDeletedButRecoverable")) {
        return new BackendException(ErrorCode.CONFLICT, "a soft-deleted Key Vault secret still holds the name"
            + subject + "; purge it, or wait for the vault's retention period to end" + detail, e);
      }
      return new BackendException(ErrorCode.CONFLICT, "Key Vault reported a conflict" + subject + detail, e);
    }
    if (status == 429) {
      return new BackendException(ErrorCode.RESOURCE_EXHAUSTED, "Key Vault is throttling requests" + subject, e);
    }
    if (status >= 500) {
      return BackendException.unavailable("Key Vault failed" + subject + detail, e);
    }
    return new BackendException(ErrorCode.INTERNAL, "unexpected answer from Key Vault" + subject + detail, e);
  }

  /** Key Vault's error code and inner error code, each only when it is a plain word. */
  record ErrorInfo(String code, String innerCode) {}

  /** Reads the error body, which the SDK hands over as a map of the JSON. */
  static ErrorInfo errorInfo(HttpResponseException e) {
    if (e.getValue() instanceof Map<?, ?> body && body.get("error") instanceof Map<?, ?> error) {
      String inner = error.get("innererror") instanceof Map<?, ?> m ? safe(m.get("code")) : null;
      return new ErrorInfo(safe(error.get("code")), inner);
    }
    return new ErrorInfo(null, null);
  }

  private static String safe(Object code) {
    return code instanceof String s && SAFE_CODE.matcher(s).matches() ? s : null;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 16; depth++) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      t = t.getCause();
    }
    return null;
  }
}
