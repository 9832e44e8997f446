package io.secretsbroker.server.grpc;

import io.grpc.stub.StreamObserver;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.auth.IssuedToken;
import io.secretsbroker.core.auth.TokenInfo;
import io.secretsbroker.core.auth.TokenStore;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.policy.Capability;
import io.secretsbroker.policy.Decision;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.proto.v1.AdminServiceGrpc;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.CreateTokenResponse;
import io.secretsbroker.proto.v1.ListTokensRequest;
import io.secretsbroker.proto.v1.ListTokensResponse;
import io.secretsbroker.proto.v1.RevokeTokenRequest;
import io.secretsbroker.proto.v1.RevokeTokenResponse;
import java.time.Duration;
import java.util.List;

/** {@code AdminService}: tokens and policy explanations. */
final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
  private final TokenStore tokens;
  private final AccessControl access;
  private final Duration defaultTtl;
  private final Duration maxTtl;
  private final java.time.Clock clock;

  AdminGrpcService(TokenStore tokens, AccessControl access, Duration defaultTtl, Duration maxTtl,
      java.time.Clock clock) {
    this.maxTtl = maxTtl;
    this.clock = clock;
    this.tokens = tokens;
    this.access = access;
    this.defaultTtl = defaultTtl;
  }

  static io.secretsbroker.proto.v1.TokenInfo toProto(TokenInfo t) {
    return io.secretsbroker.proto.v1.TokenInfo.newBuilder().setId(t.id()).setPrincipal(t.principal())
        .addAllPolicies(t.policies()).setCreatedTime(Protos.ts(t.createdAt()))
        .setExpireTime(Protos.ts(t.expiresAt())).setRevoked(t.revoked()).setCreator(t.creator()).build();
  }

  @Override
  public void createToken(CreateTokenRequest req, StreamObserver<CreateTokenResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target("", "");
      access.require(ctx.principal(), Operation.CREATE_TOKEN, null);
      Duration ttl = req.hasTtl() ? Protos.duration(req.getTtl()) : Duration.ZERO;
      IssuedToken t = tokens.issue(ctx.principal(), access.policiesOf(ctx.principal()), req.getPrincipal(),
          List.copyOf(req.getPoliciesList()), ttl, defaultTtl, maxTtl);
      ctx.detail("token " + t.info().id() + " for token:" + t.info().principal() + " policies "
          + t.info().policies() + " expires " + t.info().expiresAt());
      return CreateTokenResponse.newBuilder().setToken(t.token()).setInfo(toProto(t.info())).build();
    });
  }

  @Override
  public void revokeToken(RevokeTokenRequest req, StreamObserver<RevokeTokenResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target("", "");
      access.require(ctx.principal(), Operation.REVOKE_TOKEN, null);
      if (req.getId().isBlank()) {
        throw BrokerException.invalid("id", "required");
      }
      ctx.detail("token " + req.getId());
      tokens.revoke(req.getId());
      return RevokeTokenResponse.getDefaultInstance();
    });
  }

  @Override
  public void listTokens(ListTokensRequest req, StreamObserver<ListTokensResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current();
      access.require(ctx.principal(), Operation.LIST_TOKENS, null);
      ListTokensResponse.Builder b = ListTokensResponse.newBuilder();
      tokens.list().forEach(t -> b.addTokens(toProto(t)));
      return b.build();
    });
  }

  @Override
  public void checkAccess(CheckAccessRequest req, StreamObserver<CheckAccessResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      access.require(ctx.principal(), Operation.CHECK_ACCESS, null);
      if (req.getPrincipal().isBlank()) {
        throw BrokerException.invalid("principal", "required");
      }
      // Only what a broker operation can ask for: not "deny" (a rule, never a request) nor Vault's
      // sudo/patch/subscribe/recover. Checked here so that AccessRequest never sees them.
      Capability cap = Capability.fromHclName(req.getCapability()).filter(Capability::requestable)
          .orElseThrow(() -> BrokerException.invalid("capability", "must be one of "
              + java.util.Arrays.stream(Capability.values()).filter(Capability::requestable).map(Capability::hclName)
                  .collect(java.util.stream.Collectors.joining(", "))
              + (req.getCapability().equals("deny") ? "; \"deny\" is a policy rule, not something a request asks for" : "")));
      if (req.getName().isBlank()) {
        throw BrokerException.invalid("name", "required");
      }
      // What the principal can do with any credential it holds: config bindings plus its live tokens' policies.
      java.time.Instant now = clock.instant();
      java.util.Set<String> tokenPolicies = new java.util.TreeSet<>();
      tokens.list().stream()
          .filter(t -> t.principal().equals(req.getPrincipal()) && !t.revoked() && t.expiresAt().isAfter(now))
          .forEach(t -> tokenPolicies.addAll(t.policies()));
      io.secretsbroker.core.auth.Principal checked =
          new io.secretsbroker.core.auth.Principal(req.getPrincipal(), "check", tokenPolicies);
      Decision d = access.explain(checked, cap, req.getName());
      CheckAccessResponse.Builder b = CheckAccessResponse.newBuilder().setAllowed(d.allowed())
          .setPolicyPath(d.path()).setMatchedPattern(d.matchedPattern().orElse(""))
          .addAllPolicies(d.policies());
      d.capabilities().forEach(c -> b.addCapabilities(c.hclName()));
      b.addAllPrincipalPolicies(access.policiesOf(checked).stream().sorted().toList());
      return b.build();
    });
  }
}
