package io.secretsbroker.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary handler body and sends its result, or its failure mapped by {@link StatusMapper}. */
final class Calls {
  private Calls() {}

  static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    T response;
    try {
      response = body.get();
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toStatus(e, CallContext.current().requestId()).asRuntimeException());
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
