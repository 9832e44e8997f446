package io.secretsbroker.client;

import io.grpc.Channel;
import io.secretsbroker.client.Invoker.Retry;
import io.secretsbroker.proto.v1.AdminServiceGrpc;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.CreateTokenResponse;
import io.secretsbroker.proto.v1.ListTokensRequest;
import io.secretsbroker.proto.v1.RevokeTokenRequest;
import io.secretsbroker.proto.v1.TokenInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The broker's AdminService (tokens and policy checks), with the client's token, deadline and retries. Obtained
 * from {@link SecretsClient#admin()}; thread-safe.
 */
public final class AdminClient {
  private final AdminServiceGrpc.AdminServiceBlockingStub stub;
  private final Invoker invoker;

  AdminClient(Channel channel, BearerToken token, Invoker invoker) {
    this.stub = BearerToken.attach(AdminServiceGrpc.newBlockingStub(channel), token);
    this.invoker = invoker;
  }

  /**
   * Creates a bearer token for {@code principal} with {@code policies} attached, valid for {@code ttl} ({@link
   * Duration#ZERO} for the server default). The token is returned once. Not retried, so a lost response cannot
   * leave a second live token behind.
   */
  public CreatedToken createToken(String principal, List<String> policies, Duration ttl) {
    CreateTokenRequest request = CreateTokenRequest.newBuilder()
        .setPrincipal(Objects.requireNonNull(principal, "principal"))
        .addAllPolicies(policies)
        .setTtl(Protos.duration(Objects.requireNonNull(ttl, "ttl")))
        .build();
    CreateTokenResponse response = invoker.call(stub, Retry.NEVER, s -> s.createToken(request));
    return new CreatedToken(response.getToken(), response.getInfo());
  }

  /** Revokes a token by its public id. */
  public void revokeToken(String id) {
    RevokeTokenRequest request = RevokeTokenRequest.newBuilder().setId(Objects.requireNonNull(id, "id")).build();
    invoker.call(stub, Retry.IDEMPOTENT, s -> s.revokeToken(request));
  }

  /** Every token's metadata, newest first; never the tokens themselves. */
  public List<TokenInfo> listTokens() {
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.listTokens(ListTokensRequest.getDefaultInstance()))
        .getTokensList();
  }

  /** Explains the policy decision for {@code principal} using {@code capability} on {@code name}. */
  public CheckAccessResponse checkAccess(String principal, String capability, String name) {
    CheckAccessRequest request = CheckAccessRequest.newBuilder()
        .setPrincipal(Objects.requireNonNull(principal, "principal"))
        .setCapability(Objects.requireNonNull(capability, "capability"))
        .setName(Objects.requireNonNull(name, "name"))
        .build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.checkAccess(request));
  }
}
