package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.CreateTokenResponse;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.ListTokensRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.QueryAuditLogResponse;
import io.secretsbroker.proto.v1.RevokeTokenRequest;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity, policies and audit end to end: an mTLS principal and a token principal with different policies,
 * allowed and refused reads both audited, auditor queries, tamper detection, fail-closed audit.
 */
class IdentityPolicyAuditIT {
  private static final String SECRET_VALUE = "s3cr3t-value-that-must-never-leak";

  @TempDir
  Path tmp;
  TestBroker broker;
  TestPki pki;
  String root;
  PrintStream originalErr;
  ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, capturedErr), true, StandardCharsets.UTF_8));
    pki = new TestPki(tmp.resolve("pki"));
    Path[] server = pki.server();
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("trading.hcl"), """
        path "secret/data/trading/*" { capabilities = ["read"] }
        path "secret/metadata/trading/*" { capabilities = ["list", "read"] }
        """);
    Files.writeString(policies.resolve("market-data.hcl"), """
        path "secret/data/market-data/*" { capabilities = ["read"] }
        """);
    Files.writeString(policies.resolve("auditor.hcl"), """
        path "sys/audit" { capabilities = ["audit"] }
        """);
    String yaml = """
        tls:
          cert-file: %s
          key-file: %s
          client-ca-file: %s
        policies:
          dir: %s
        audit:
          file: %s
        auth:
          root-token-file: %s
          bindings:
            - principal: "spiffe://prod/trading/*"
              policies: [trading]
        """.formatted(server[0], server[1], pki.caFile(), policies, tmp.resolve("audit.jsonl"),
        tmp.resolve("data").resolve("root-token"));
    broker = TestBroker.start(tmp.resolve("data"), yaml, Clock.systemUTC()).trusting(pki.caFile());
    root = broker.rootToken();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
    System.setErr(originalErr);
  }

  private ManagedChannel tlsChannel(Path[] clientCert) throws Exception {
    TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder().trustManager(pki.caFile().toFile());
    if (clientCert != null) {
      creds.keyManager(clientCert[0].toFile(), clientCert[1].toFile());
    }
    return NettyChannelBuilder.forAddress("127.0.0.1", broker.server().port(), creds.build())
        .overrideAuthority("localhost").build();
  }

  private SecretsServiceGrpc.SecretsServiceBlockingStub secrets(ManagedChannel ch, String token) {
    var stub = SecretsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
    return token == null ? stub : stub.withCallCredentials(TestBroker.bearer(token));
  }

  private static Status.Code codeOf(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected failure");
  }

  @Test
  void twoPrincipals_differentPolicies_everyDecisionAudited_andAuditorSeesIt() throws Exception {
    ManagedChannel rootCh = tlsChannel(null);
    Path[] svcCert = pki.issue("trading-api", "ignored-cn",
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://prod/trading/api"));
    ManagedChannel mtls = tlsChannel(svcCert);
    try {
      var asRoot = secrets(rootCh, root);
      asRoot.putSecret(PutSecretRequest.newBuilder().setName("trading/db-password")
          .setValue(ByteString.copyFromUtf8(SECRET_VALUE)).build());
      asRoot.putSecret(PutSecretRequest.newBuilder().setName("market-data/feed-key")
          .setValue(ByteString.copyFromUtf8(SECRET_VALUE + "-2")).build());

      // mTLS principal (SPIFFE SAN) bound by config to policy "trading".
      var trading = secrets(mtls, null);
      assertThat(trading.getSecret(GetSecretRequest.newBuilder().setName("trading/db-password").build())
          .getValue().toStringUtf8()).isEqualTo(SECRET_VALUE);
      StatusRuntimeException denied = null;
      try {
        trading.getSecret(GetSecretRequest.newBuilder().setName("market-data/feed-key").build());
      } catch (StatusRuntimeException e) {
        denied = e;
      }
      assertThat(denied).isNotNull();
      assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(denied.getStatus().getDescription()).contains("'read'").contains("secret/data/market-data/feed-key")
          .doesNotContain(SECRET_VALUE);
      // Refusal does not reveal existence: a missing secret under a forbidden path is refused the same way.
      assertThat(codeOf(() -> trading.getSecret(GetSecretRequest.newBuilder().setName("market-data/nope").build())))
          .isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(codeOf(() -> trading.putSecret(PutSecretRequest.newBuilder().setName("trading/db-password")
          .setValue(ByteString.copyFromUtf8("x")).build()))).isEqualTo(Status.Code.PERMISSION_DENIED);

      // Token principal with policy "market-data", created through the admin API.
      CreateTokenResponse tok = broker.admin(root).createToken(CreateTokenRequest.newBuilder()
          .setPrincipal("svc-market").addPolicies("market-data").build());
      var market = secrets(rootCh, tok.getToken());
      assertThat(market.getSecret(GetSecretRequest.newBuilder().setName("market-data/feed-key").build())
          .getValue().toStringUtf8()).isEqualTo(SECRET_VALUE + "-2");
      assertThat(codeOf(() -> market.getSecret(GetSecretRequest.newBuilder().setName("trading/db-password")
          .build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(broker.admin(root).listTokens(ListTokensRequest.getDefaultInstance()).toString())
          .doesNotContain(tok.getToken());

      // A token can be revoked.
      broker.admin(root).revokeToken(RevokeTokenRequest.newBuilder().setId(tok.getInfo().getId()).build());
      assertThat(codeOf(() -> market.getSecret(GetSecretRequest.newBuilder().setName("market-data/feed-key")
          .build()))).isEqualTo(Status.Code.UNAUTHENTICATED);

      // Auditor: needs the audit capability; the trading service does not have it.
      CreateTokenResponse auditorTok = broker.admin(root).createToken(CreateTokenRequest.newBuilder()
          .setPrincipal("alice-auditor").addPolicies("auditor").build());
      var auditor = io.secretsbroker.proto.v1.AuditServiceGrpc.newBlockingStub(rootCh)
          .withCallCredentials(TestBroker.bearer(auditorTok.getToken())).withDeadlineAfter(20, TimeUnit.SECONDS);
      QueryAuditLogResponse reads = auditor.queryAuditLog(QueryAuditLogRequest.newBuilder()
          .setNamePrefix("trading/db-password").setMethod("GetSecret").build());
      assertThat(reads.getRecordsList()).extracting(AuditRecord::getPrincipal, AuditRecord::getOutcome)
          .contains(org.assertj.core.groups.Tuple.tuple("spiffe://prod/trading/api", "OK"),
              org.assertj.core.groups.Tuple.tuple("svc-market", "PERMISSION_DENIED"));
      QueryAuditLogResponse refusals = auditor.queryAuditLog(QueryAuditLogRequest.newBuilder()
          .setOutcome("PERMISSION_DENIED").build());
      assertThat(refusals.getRecordsList()).hasSizeGreaterThanOrEqualTo(4);
      assertThat(refusals.getRecords(0).getSequence()).isGreaterThan(refusals.getRecords(1).getSequence());

      var summary = auditor.accessSummary(AccessSummaryRequest.newBuilder().setPrefix("trading/").build());
      SecretAccessSummary s = summary.getSecretsList().get(0);
      assertThat(s.getName()).isEqualTo("trading/db-password");
      assertThat(s.getAccessCount()).isEqualTo(1);
      assertThat(s.getLastAccessor()).isEqualTo("spiffe://prod/trading/api");
      assertThat(s.getDeniedCount()).isEqualTo(1);
      assertThat(s.getAgeDays()).isZero();
      assertThat(s.getRotationDue()).isFalse();

      var tradingAudit = io.secretsbroker.proto.v1.AuditServiceGrpc.newBlockingStub(mtls)
          .withDeadlineAfter(20, TimeUnit.SECONDS);
      assertThat(codeOf(() -> tradingAudit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance())))
          .isEqualTo(Status.Code.PERMISSION_DENIED);

      assertThat(auditor.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance()).getOk()).isTrue();

      // Explain: which rule decided.
      CheckAccessResponse why = broker.admin(root).checkAccess(CheckAccessRequest.newBuilder()
          .setPrincipal("spiffe://prod/trading/api").setCapability("read").setName("trading/db-password").build());
      assertThat(why.getAllowed()).isTrue();
      assertThat(why.getMatchedPattern()).isEqualTo("secret/data/trading/*");
      assertThat(why.getPoliciesList()).containsExactly("trading");
      // A principal whose policies come from its token is explained with them.
      CheckAccessResponse viaToken = broker.admin(root).checkAccess(CheckAccessRequest.newBuilder()
          .setPrincipal("alice-auditor").setCapability("audit").setName("sys/audit").build());
      assertThat(viaToken.getAllowed()).isTrue();
      assertThat(viaToken.getPrincipalPoliciesList()).containsExactly("auditor");

      // Nothing the test used as a value or token reached a sink or the log.
      assertNoLeak(SECRET_VALUE, tok.getToken(), auditorTok.getToken(), root);
    } finally {
      rootCh.shutdownNow();
      mtls.shutdownNow();
    }
  }

  private void assertNoLeak(String... needles) throws Exception {
    String jsonl = Files.readString(tmp.resolve("audit.jsonl"));
    assertThat(jsonl.lines().count()).isGreaterThan(5);
    StringBuilder table = new StringBuilder();
    try (Connection c = broker.server().state().dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM sb_audit")) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= cols; i++) {
          table.append(rs.getString(i)).append('|');
        }
      }
    }
    String log = capturedErr.toString(StandardCharsets.UTF_8);
    for (String n : needles) {
      assertThat(jsonl).doesNotContain(n);
      assertThat(table.toString()).doesNotContain(n);
      assertThat(log).doesNotContain(n);
      assertThat(broker.scrapeMetrics()).doesNotContain(n);
    }
  }

  @Test
  void editingOneAuditRow_isPinpointedByVerify() throws Exception {
    var asRoot = broker.secrets(root);
    asRoot.putSecret(PutSecretRequest.newBuilder().setName("a/b").setValue(ByteString.copyFromUtf8("v")).build());
    for (int i = 0; i < 5; i++) {
      asRoot.getSecret(GetSecretRequest.newBuilder().setName("a/b").build());
    }
    var audit = broker.audit(root);
    VerifyAuditChainResponse ok = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(ok.getOk()).isTrue();
    assertThat(ok.getRecordsChecked()).isGreaterThanOrEqualTo(6);
    try (Connection c = broker.server().state().dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE sb_audit SET principal = 'somebody-else' WHERE seq = 3");
    }
    VerifyAuditChainResponse broken = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(broken.getOk()).isFalse();
    assertThat(broken.getFirstBrokenSequence()).isEqualTo(3);
    assertThat(broken.getReason()).contains("changed");

    try (Connection c = broker.server().state().dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE sb_audit SET principal = 'root' WHERE seq = 3");
      st.executeUpdate("DELETE FROM sb_audit WHERE seq = 4");
    }
    VerifyAuditChainResponse gap = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(gap.getOk()).isFalse();
    assertThat(gap.getFirstBrokenSequence()).isEqualTo(4);
  }

  @Test
  void auditStoreUnwritable_readsFailUnavailable_andNoValueLeaves() throws Exception {
    var asRoot = broker.secrets(root);
    asRoot.putSecret(PutSecretRequest.newBuilder().setName("fc/x").setValue(ByteString.copyFromUtf8(SECRET_VALUE))
        .build());
    asRoot.getSecret(GetSecretRequest.newBuilder().setName("fc/x").build()); // warm the cache
    try (Connection c = broker.server().state().dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("ALTER TABLE sb_audit RENAME TO sb_audit_away");
    }
    StatusRuntimeException e = null;
    try {
      asRoot.getSecret(GetSecretRequest.newBuilder().setName("fc/x").build());
    } catch (StatusRuntimeException ex) {
      e = ex;
    }
    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("audit").doesNotContain(SECRET_VALUE);
    assertThat(e.getTrailers().toString()).doesNotContain(SECRET_VALUE);
    try (Connection c = broker.server().state().dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("ALTER TABLE sb_audit_away RENAME TO sb_audit");
    }
    assertThat(asRoot.getSecret(GetSecretRequest.newBuilder().setName("fc/x").build()).getValue().toStringUtf8())
        .isEqualTo(SECRET_VALUE);
    assertThat(broker.audit(root).verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance()).getOk()).isTrue();
  }

  @Test
  void plaintextClientWithoutCertOrToken_isRefused() throws Exception {
    ManagedChannel ch = tlsChannel(null);
    try {
      assertThat(codeOf(() -> secrets(ch, null).getSecret(GetSecretRequest.newBuilder().setName("x").build())))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    } finally {
      ch.shutdownNow();
    }
  }

  /** Copies a stream to two outputs. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
