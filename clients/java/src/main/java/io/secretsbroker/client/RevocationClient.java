package io.secretsbroker.client;

import io.grpc.Channel;
import io.secretsbroker.client.Invoker.Retry;
import io.secretsbroker.proto.v1.ListRevocationsRequest;
import io.secretsbroker.proto.v1.ListRevocationsResponse;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.Revocation;
import io.secretsbroker.proto.v1.RevocationServiceGrpc;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The broker's RevocationService, with the client's token, deadline and retries. Obtained from {@link
 * SecretsClient#revocation()}; thread-safe. Needs the {@code revoke} capability.
 */
public final class RevocationClient {
  private final RevocationServiceGrpc.RevocationServiceBlockingStub stub;
  private final Invoker invoker;

  RevocationClient(Channel channel, BearerToken token, Invoker invoker) {
    this.stub = BearerToken.attach(RevocationServiceGrpc.newBlockingStub(channel), token);
    this.invoker = invoker;
  }

  /** Marks one version of a secret revoked, so that no replica serves it again; {@code reason} is audited. */
  public Revocation revoke(String name, String version, String reason) {
    RevokeSecretVersionRequest request = RevokeSecretVersionRequest.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setVersion(Objects.requireNonNull(version, "version"))
        .setReason(Objects.requireNonNull(reason, "reason"))
        .build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.revokeSecretVersion(request));
  }

  /** Revocations of secrets whose names start with {@code prefix}, newest first; lazy. */
  public Stream<Revocation> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return Pager.stream(
        token -> invoker.call(stub, Retry.IDEMPOTENT, s -> s.listRevocations(ListRevocationsRequest.newBuilder()
            .setPrefix(prefix).setPage(PageRequest.newBuilder().setPageToken(token)).build())),
        ListRevocationsResponse::getRevocationsList,
        ListRevocationsResponse::getNextPageToken);
  }
}
