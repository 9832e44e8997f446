package io.secretsbroker.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.spi.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a gRPC {@link Status} — the only place in the daemon that does. Broker failures keep
 * their safe message; anything unexpected becomes {@code INTERNAL} with only the request id. The log gets the
 * broker's own messages and the classes of the causes, never a cause's message (SDKs may quote response bodies).
 */
public final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  private StatusMapper() {}

  /**
   * The classes of a cause chain, e.g. {@code BackendException <- HttpResponseException}. Messages of causes are
   * left out on purpose: SDK exceptions may quote response bodies, which can hold secret values.
   */
  static String causeChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 400; c = c.getCause()) {
      if (sb.length() > 0) {
        sb.append(" <- ");
      }
      sb.append(c.getClass().getName());
      if (c instanceof BackendException || c instanceof BrokerException) {
        sb.append(": ").append(c.getMessage()); // broker-made messages are safe by contract
      }
    }
    return sb.toString();
  }

  /** The status for {@code t}. */
  public static Status toStatus(Throwable t, String requestId) {
    if (t instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (t instanceof BrokerException be) {
      Status s = switch (be.failure()) {
        case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
        case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
        case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
        case NOT_FOUND -> Status.NOT_FOUND;
        case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
        case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
        case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
        case UNAVAILABLE -> Status.UNAVAILABLE;
        case INTERNAL -> Status.INTERNAL;
      };
      if (be.getCause() != null) {
        log.warn("request {} failed: {} ({}; caused by {})", requestId, be.getMessage(), be.failure(),
            causeChain(be.getCause()));
      }
      if (s.getCode() == Status.Code.INTERNAL) {
        return s.withDescription("internal error (request " + requestId + ")");
      }
      return s.withDescription(be.getMessage());
    }
    if (t instanceof BackendException be) {
      log.warn("request {}: backend failure escaped the core: {}", requestId, causeChain(be));
      return toStatus(BrokerException.from(be, ""), requestId);
    }
    log.error("request {} failed unexpectedly: {} at {}", requestId, causeChain(t),
        t.getStackTrace().length > 0 ? t.getStackTrace()[0] : "?");
    return Status.INTERNAL.withDescription("internal error (request " + requestId + ")");
  }
}
