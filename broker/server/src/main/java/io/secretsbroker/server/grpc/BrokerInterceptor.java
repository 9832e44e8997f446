package io.secretsbroker.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.secretsbroker.core.auth.FailedAuthGuard;
import io.secretsbroker.core.auth.Principal;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first thing every call meets: gives it a request id (echoed as {@code x-request-id}), resolves the
 * caller's principal, refuses unauthenticated calls with {@code UNAUTHENTICATED} (recorded per peer and window as
 * one aggregated audit record by {@link FailedAuthGuard}; a peer past its limit of failures is refused with
 * {@code RESOURCE_EXHAUSTED} before any lookup) and callers over their rate limit with {@code RESOURCE_EXHAUSTED}
 * (audited) — except the health and reflection services, which carry no secrets.
 */
final class BrokerInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private final Identity identity;
  private final AuditRecorder audit;
  private final io.secretsbroker.core.auth.RateLimiter limiter;
  private final FailedAuthGuard guard;

  /**
   * @param limiter per-principal rate limit, or null for none
   * @param guard counts failed authentications per peer address
   */
  BrokerInterceptor(Identity identity, AuditRecorder audit, io.secretsbroker.core.auth.RateLimiter limiter,
      FailedAuthGuard guard) {
    this.identity = identity;
    this.audit = audit;
    this.limiter = limiter;
    this.guard = guard;
  }

  /**
   * A random (version 4) UUID. Request ids need to be unique, not unpredictable: a thread-local generator avoids the
   * lock of the shared {@code SecureRandom} behind {@link UUID#randomUUID()} on every call.
   */
  static String requestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (OPEN_SERVICES.contains(service)) {
      return next.startCall(call, headers);
    }
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    CallContext ctx = new CallContext(requestId(), call.getMethodDescriptor().getFullMethodName(),
        remote == null ? "" : remote.toString(), System.nanoTime());
    ServerCall<Q, R> tagged = new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(REQUEST_ID, ctx.requestId());
        super.sendHeaders(responseHeaders);
      }
    };
    String host = FailedAuthGuard.host(ctx.peer());
    if (!identity.knownInMemory(headers.get(AUTHORIZATION), call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION))
        && guard.refuse(host)) {
      // Before any lookup or audit work: this address failed too often in the current window (counted, and reported
      // with the window's aggregated audit record). Credentials already known valid in memory still pass, so a
      // flood from a shared address does not lock out the services behind it.
      Metadata trailers = new Metadata();
      trailers.put(REQUEST_ID, ctx.requestId());
      tagged.close(Status.RESOURCE_EXHAUSTED.withDescription("too many failed authentications from this address;"
          + " retry later"), trailers);
      return new ServerCall.Listener<>() {};
    }
    ServerCall<Q, R> audited = audit.wrap(tagged, ctx);
    Optional<Principal> principal;
    try {
      principal = identity.resolve(headers.get(AUTHORIZATION),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    } catch (io.secretsbroker.core.BrokerException e) {
      // the token store could not be asked (state database down): refuse as UNAVAILABLE, never as UNKNOWN
      Metadata trailers = new Metadata();
      trailers.put(REQUEST_ID, ctx.requestId());
      audited.close(StatusMapper.toStatus(e, ctx.requestId()), trailers);
      return new ServerCall.Listener<>() {};
    }
    if (principal.isEmpty()) {
      Metadata trailers = new Metadata();
      trailers.put(REQUEST_ID, ctx.requestId());
      FailedAuthGuard.Window finished = guard.failed(host);
      if (finished != null) {
        audit.recordFailedAuthentications(finished);
      }
      // Not recorded one by one: the peer's failures of this window become one aggregated audit record.
      tagged.close(Status.UNAUTHENTICATED.withDescription(
          "no valid credentials: send 'authorization: Bearer <token>' or a client certificate"), trailers);
      return new ServerCall.Listener<>() {};
    }
    ctx.principal(principal.get());
    if (limiter != null && !limiter.tryAcquire(principal.get().name())) {
      Metadata trailers = new Metadata();
      trailers.put(REQUEST_ID, ctx.requestId());
      audited.close(Status.RESOURCE_EXHAUSTED.withDescription("rate limit of principal '" + principal.get().name()
          + "' exceeded; retry later"), trailers);
      return new ServerCall.Listener<>() {};
    }
    return audit.intentFirst(Contexts.interceptCall(Context.current().withValue(CallContext.KEY, ctx), audited,
        headers, next), audited, ctx);
  }
}
