package io.secretsbroker.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocalThread;
import io.secretsbroker.core.auth.TokenStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where calls run. A {@code GetSecret} whose credentials are known in memory (a cached token, or none to look up)
 * starts on the transport's own thread: a cache hit is then answered with no thread hop at all, and the handler
 * hands a cache miss to the {@linkplain #blocking() blocking pool} itself ({@link #onTransportThread()}). Every
 * other call — anything that may wait on a database, a backend or an intent record — starts on the blocking pool.
 */
final class CallExecutors implements ServerCallExecutorSupplier, AutoCloseable {
  private static final String GET_SECRET = "secretsbroker.v1.SecretsService/GetSecret";
  private static final Executor DIRECT = Runnable::run;

  private final TokenStore tokens;
  private final ExecutorService blocking;

  CallExecutors(TokenStore tokens) {
    this.tokens = tokens;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "broker-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.blocking = Executors.newCachedThreadPool(threads);
  }

  /** The pool for work that may block. */
  Executor blocking() {
    return blocking;
  }

  /** Whether the current thread is a transport (event loop) thread, which must not block. */
  static boolean onTransportThread() {
    return Thread.currentThread() instanceof FastThreadLocalThread;
  }

  @Override
  public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
    if (!GET_SECRET.equals(call.getMethodDescriptor().getFullMethodName())) {
      return blocking;
    }
    String auth = headers.get(BrokerInterceptor.AUTHORIZATION);
    if (auth == null) {
      return DIRECT; // a certificate (read from the TLS session) or nothing: no lookup
    }
    String h = auth.trim();
    if (h.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.cachedInMemory(h.substring(7).trim())) {
      return DIRECT;
    }
    return blocking;
  }

  @Override
  public void close() {
    blocking.shutdownNow();
  }
}
