package io.secretsbroker.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import java.util.concurrent.Executor;

/** Sends {@code authorization: Bearer <token>} on every call. Its {@code toString()} hides the token. */
final class BearerToken extends CallCredentials {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  BearerToken(String token) {
    this.header = "Bearer " + token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata metadata = new Metadata();
    metadata.put(AUTHORIZATION, header);
    applier.apply(metadata);
  }

  /** {@code stub} sending {@code token}, or {@code stub} itself when there is no token. */
  static <S extends AbstractStub<S>> S attach(S stub, BearerToken token) {
    return token == null ? stub : stub.withCallCredentials(token);
  }

  @Override
  public String toString() {
    return "BearerToken[REDACTED]";
  }
}
