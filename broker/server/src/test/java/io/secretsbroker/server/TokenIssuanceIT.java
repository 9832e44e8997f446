package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.AdminServiceGrpc;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.CreateTokenResponse;
import io.secretsbroker.proto.v1.ListTokensRequest;
import io.secretsbroker.proto.v1.TokenInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens are issued like Vault's child tokens: a token holding only the shipped operator policy cannot mint a token
 * with any other policy, with the name root, or with a certificate or SPIFFE identity; no token outlives its creator
 * or auth.token-max-ttl; every token records its creator.
 */
class TokenIssuanceIT {
  @TempDir
  Path tmp;
  TestBroker broker;
  AdminServiceGrpc.AdminServiceBlockingStub asRoot;
  AdminServiceGrpc.AdminServiceBlockingStub asOperator;
  String operatorAccessor;

  @BeforeEach
  void start() throws Exception {
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    for (String p : List.of("operator", "trading", "auditor")) {
      Files.copy(Path.of("../../policies-hcl", p + ".hcl"), policies.resolve(p + ".hcl"));
    }
    broker = TestBroker.start(tmp.resolve("data"), """
        policies:
          dir: "%s"
        auth:
          root-token-file: "%s"
        """.formatted(policies, tmp.resolve("data/root-token")), Clock.systemUTC());
    asRoot = broker.admin(broker.rootToken());
    CreateTokenResponse ops = asRoot.createToken(CreateTokenRequest.newBuilder().setPrincipal("ops")
        .addPolicies("operator").setTtl(Duration.newBuilder().setSeconds(3600)).build());
    operatorAccessor = ops.getInfo().getId();
    asOperator = broker.admin(ops.getToken());
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private static StatusRuntimeException refused(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }

  private static CreateTokenRequest.Builder token(String principal, String... policies) {
    return CreateTokenRequest.newBuilder().setPrincipal(principal).addAllPolicies(List.of(policies));
  }

  @Test
  void operatorToken_cannotAttachAPolicyItDoesNotHold() {
    StatusRuntimeException e = refused(() -> asOperator.createToken(token("svc-x", "trading").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).contains("[trading]").contains("only policies its creator holds");
    assertThat(refused(() -> asOperator.createToken(token("svc-x", "operator", "root").build())).getStatus()
        .getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void noTokenCanBeRootOrACertificateOrSpiffeIdentity() {
    for (String principal : List.of("root", "spiffe://prod/trading/api", "cert:payments", "token:ops", "a/b", "")) {
      StatusRuntimeException e = refused(() -> asOperator.createToken(token(principal, "operator").build()));
      assertThat(e.getStatus().getCode()).as(principal).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).as(principal).startsWith("principal:");
    }
    assertThat(refused(() -> asRoot.createToken(token("root", "root").build())).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void lifetime_isBoundedByTheCreatorsRemainingLifetimeAndTheMaximum() {
    StatusRuntimeException longer = refused(() -> asOperator.createToken(token("svc-x", "operator")
        .setTtl(Duration.newBuilder().setSeconds(7200)).build()));
    assertThat(longer.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(longer.getStatus().getDescription()).contains("remaining lifetime");

    StatusRuntimeException huge = refused(() -> asRoot.createToken(token("svc-x", "trading")
        .setTtl(Duration.newBuilder().setSeconds(315_576_000_000L)).build()));
    assertThat(huge.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(huge.getStatus().getDescription()).contains("auth.token-max-ttl");

    StatusRuntimeException overMax = refused(() -> asRoot.createToken(token("svc-x", "trading")
        .setTtl(Duration.newBuilder().setSeconds(769L * 3600)).build()));
    assertThat(overMax.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    StatusRuntimeException negative = refused(() -> asRoot.createToken(token("svc-x", "trading")
        .setTtl(Duration.newBuilder().setSeconds(-1)).build()));
    assertThat(negative.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void aSubsetWithinTheCreatorsLifetime_isIssued_andRecordsItsCreator() throws Exception {
    CreateTokenResponse child = asOperator.createToken(token("deployer", "operator")
        .setTtl(Duration.newBuilder().setSeconds(1800)).build());
    assertThat(child.getInfo().getCreator()).isEqualTo("token:ops");
    assertThat(child.getInfo().getPrincipal()).isEqualTo("deployer");
    List<TokenInfo> all = asRoot.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList();
    assertThat(all).filteredOn(t -> t.getId().equals(child.getInfo().getId())).singleElement()
        .satisfies(t -> assertThat(t.getCreator()).isEqualTo("token:ops"));
    assertThat(all).filteredOn(t -> t.getId().equals(operatorAccessor)).singleElement()
        .satisfies(t -> assertThat(t.getCreator()).isEqualTo("token:root"));
    // the child works, and its own children are bounded by it in turn
    StatusRuntimeException grandchild = refused(() -> broker.admin(child.getToken()).createToken(
        token("deployer-2", "operator").setTtl(Duration.newBuilder().setSeconds(3000)).build()));
    assertThat(grandchild.getStatus().getDescription()).contains("remaining lifetime");
  }
}
