package io.secretsbroker.server.grpc;

import io.grpc.stub.StreamObserver;
import io.secretsbroker.core.SecretService;
import io.secretsbroker.core.revocation.Revocation;
import io.secretsbroker.proto.v1.ListRevocationsRequest;
import io.secretsbroker.proto.v1.ListRevocationsResponse;
import io.secretsbroker.proto.v1.RevocationServiceGrpc;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import io.secretsbroker.spi.Page;

/** {@code RevocationService}. */
final class RevocationGrpcService extends RevocationServiceGrpc.RevocationServiceImplBase {
  private final SecretService secrets;

  RevocationGrpcService(SecretService secrets) {
    this.secrets = secrets;
  }

  static io.secretsbroker.proto.v1.Revocation toProto(Revocation r) {
    return io.secretsbroker.proto.v1.Revocation.newBuilder().setName(r.name()).setVersion(r.version())
        .setReason(r.reason()).setPrincipal(r.principal()).setRevokedTime(Protos.ts(r.revokedAt())).build();
  }

  @Override
  public void revokeSecretVersion(RevokeSecretVersionRequest req,
      StreamObserver<io.secretsbroker.proto.v1.Revocation> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), req.getVersion());
      ctx.detail("reason: " + req.getReason());
      return toProto(secrets.revoke(ctx.principal(), req.getName(), req.getVersion(), req.getReason()));
    });
  }

  @Override
  public void listRevocations(ListRevocationsRequest req, StreamObserver<ListRevocationsResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getPrefix(), "");
      Page<Revocation> page = secrets.listRevocations(ctx.principal(), req.getPrefix(), Protos.page(req.getPage()));
      ListRevocationsResponse.Builder b = ListRevocationsResponse.newBuilder()
          .setNextPageToken(page.nextPageToken());
      page.items().forEach(r -> b.addRevocations(toProto(r)));
      return b.build();
    });
  }
}
