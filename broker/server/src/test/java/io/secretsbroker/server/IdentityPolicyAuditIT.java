package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity, policies and audit end to end: an mTLS principal and a token principal with different policies,
 * allowed and refused reads both audited, auditor queries, tamper detection in the journal and in the index,
 * fail-closed audit when the journal cannot be written.
 */
class IdentityPolicyAuditIT {
  private static final String SECRET_VALUE = "s3cr3t-value-that-must-never-leak";
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir
  Path tmp;
  TestBroker broker;
  TestPki pki;
  final FillableDisk disk = new FillableDisk();
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
    broker = TestBroker.start(tmp.resolve("data"), yaml, Clock.systemUTC(), disk).trusting(pki.caFile());
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
              org.assertj.core.groups.Tuple.tuple("token:svc-market", "PERMISSION_DENIED"));
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
    StringBuilder index = new StringBuilder();
    try (Connection c = broker.server().state().dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM sb_audit_index")) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= cols; i++) {
          index.append(rs.getString(i)).append('|');
        }
      }
    }
    assertThat(index).as("the audit index has rows").isNotEmpty();
    StringBuilder journal = new StringBuilder();
    for (Path segment : JournalReader.segments(broker.server().audit().journal().dir())) {
      journal.append(new String(Files.readAllBytes(segment), StandardCharsets.ISO_8859_1));
    }
    assertThat(journal.toString()).as("the audit journal holds the records").contains("spiffe://prod/trading/api");
    String log = capturedErr.toString(StandardCharsets.UTF_8);
    for (String n : needles) {
      assertThat(jsonl).doesNotContain(n);
      assertThat(index.toString()).doesNotContain(n);
      assertThat(journal.toString()).doesNotContain(n);
      assertThat(log).doesNotContain(n);
      assertThat(broker.scrapeMetrics()).doesNotContain(n);
    }
  }

  /** A put (intent and outcome: records 1 and 2) and five reads (records 3 to 7), and a chain that verifies. */
  private AuditServiceGrpc.AuditServiceBlockingStub sevenRecordsThatVerify() {
    var asRoot = broker.secrets(root);
    asRoot.putSecret(PutSecretRequest.newBuilder().setName("a/b").setValue(ByteString.copyFromUtf8("v")).build());
    for (int i = 0; i < 5; i++) {
      asRoot.getSecret(GetSecretRequest.newBuilder().setName("a/b").build());
    }
    var audit = broker.audit(root);
    VerifyAuditChainResponse ok = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(ok.getOk()).as(ok.getReason()).isTrue();
    assertThat(ok.getRecordsChecked()).isGreaterThanOrEqualTo(7);
    return audit;
  }

  @Test
  void editingOneRecordInTheJournal_isPinpointedByVerify() throws Exception {
    var audit = sevenRecordsThatVerify();
    AuditJournal journal = broker.server().audit().journal();
    JournalEdit edit = JournalEdit.of(journal, 3, "token:root");
    assertThat(edit.original().record().entry().method()).endsWith("/GetSecret");

    edit.replacePrincipalByte("token:rooT");

    VerifyAuditChainResponse broken = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(broken.getOk()).isFalse();
    assertThat(broken.getFirstBrokenSequence()).isEqualTo(3);
    assertThat(broken.getReason()).contains("changed").contains("MAC");
    assertThat(broken.getReplicasList()).singleElement().satisfies(r -> {
      assertThat(r.getReplica()).isEqualTo(journal.replica());
      assertThat(r.getSource()).isEqualTo("journal");
      assertThat(r.getOk()).isFalse();
      assertThat(r.getFirstBrokenSequence()).isEqualTo(3);
    });

    edit.undo();
    VerifyAuditChainResponse repaired = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(repaired.getOk()).as(repaired.getReason()).isTrue();
  }

  @Test
  void deletingOrEditingAnIndexRow_isPinpointedByVerify() throws Exception {
    var audit = sevenRecordsThatVerify();
    String replica = broker.server().audit().replica();

    indexUpdate("UPDATE sb_audit_index SET principal = 'token:somebody-else' WHERE replica = ? AND seq = 5", replica);
    VerifyAuditChainResponse edited = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(edited.getOk()).isFalse();
    assertThat(edited.getFirstBrokenSequence()).isEqualTo(5);
    assertThat(edited.getReason()).contains("index row of record 5").contains("differs");

    indexUpdate("UPDATE sb_audit_index SET principal = 'token:root' WHERE replica = ? AND seq = 5", replica);
    VerifyAuditChainResponse restored = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(restored.getOk()).as(restored.getReason()).isTrue();

    indexUpdate("DELETE FROM sb_audit_index WHERE replica = ? AND seq = 4", replica);
    VerifyAuditChainResponse deleted = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(deleted.getOk()).isFalse();
    assertThat(deleted.getFirstBrokenSequence()).isEqualTo(4);
    assertThat(deleted.getReason()).contains("index row of record 4").contains("missing");
  }

  private void indexUpdate(String sql, String replica) throws Exception {
    try (Connection c = broker.server().state().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, replica);
      assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
    }
  }

  /**
   * One record frame inside a journal segment, edited in place the way an attacker with file access would: one
   * byte of a text field changed and the frame's CRC-32C recomputed, so the frame still reads cleanly and only
   * the record's MAC can tell.
   */
  private record JournalEdit(Path segment, JournalReader.RecordFrame original) {
    static JournalEdit of(AuditJournal journal, long sequence, String expectedPrincipal) throws Exception {
      for (Path segment : JournalReader.segments(journal.dir())) {
        try (JournalReader r = new JournalReader(segment, journal.readableLength(segment))) {
          for (JournalReader.Frame f = r.next(); f != null; f = r.next()) {
            if (f instanceof JournalReader.RecordFrame rf && rf.record().sequence() == sequence) {
              assertThat(rf.record().entry().principal()).isEqualTo(expectedPrincipal);
              return new JournalEdit(segment, rf);
            }
          }
        }
      }
      throw new AssertionError("record " + sequence + " is not in the journal");
    }

    /** Rewrites the principal as {@code edited}: the same length, one byte different. */
    void replacePrincipalByte(String edited) throws Exception {
      byte[] from = original.record().entry().principal().getBytes(StandardCharsets.UTF_8);
      byte[] to = edited.getBytes(StandardCharsets.UTF_8);
      assertThat(to).hasSameSizeAs(from);
      int at = indexOf(original.payload(), from);
      byte[] payload = frameBytes();
      System.arraycopy(to, 0, payload, at, to.length);
      write(payload);
      try (JournalReader r = new JournalReader(segment, Long.MAX_VALUE)) {
        r.seek(original.offset(), original.record().replica());
        assertThat(r.next()).as("the edited frame still reads cleanly").isInstanceOfSatisfying(
            JournalReader.RecordFrame.class, rf -> assertThat(rf.record().entry().principal()).isEqualTo(edited));
      }
    }

    /** Puts the original bytes back. */
    void undo() throws Exception {
      write(frameBytes());
    }

    /** The frame's payload as written: the canonical bytes, then the MAC. */
    private byte[] frameBytes() {
      byte[] canonical = original.payload();
      byte[] out = Arrays.copyOf(canonical, canonical.length + original.mac().length);
      System.arraycopy(original.mac(), 0, out, canonical.length, original.mac().length);
      return out;
    }

    private void write(byte[] payload) throws Exception {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      ByteBuffer frame = ByteBuffer.allocate(JournalFormat.FRAME_HEADER + payload.length);
      frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        long at = original.offset();
        while (frame.hasRemaining()) {
          at += ch.write(frame, at);
        }
        ch.force(false);
      }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
      outer:
      for (int i = 0; i + needle.length <= haystack.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (haystack[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      throw new AssertionError("the field is not in the frame");
    }
  }

  @Test
  void auditJournalUnwritable_readsFailUnavailable_noValueLeaves_andReadsRecoverByThemselves() throws Exception {
    var asRoot = broker.secrets(root);
    asRoot.putSecret(PutSecretRequest.newBuilder().setName("fc/x").setValue(ByteString.copyFromUtf8(SECRET_VALUE))
        .build());
    asRoot.getSecret(GetSecretRequest.newBuilder().setName("fc/x").build()); // warm the cache
    assertThat(journalHealthy()).isEqualTo(1.0);

    disk.fill();
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
    String refusedRequest = e.getTrailers().get(REQUEST_ID);
    assertThat(refusedRequest).isNotBlank();
    assertThat(journalHealthy()).as("secrets_audit_journal_healthy while the disk is full").isEqualTo(0.0);

    disk.free();
    Poll.until("reads are served again once the disk has room", Duration.ofSeconds(20), () -> {
      try {
        return asRoot.getSecret(GetSecretRequest.newBuilder().setName("fc/x").build()).getValue().toStringUtf8()
            .equals(SECRET_VALUE);
      } catch (StatusRuntimeException refused) {
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        return false;
      }
    });
    assertThat(journalHealthy()).isEqualTo(1.0);
    var audit = broker.audit(root);
    VerifyAuditChainResponse verified = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
    assertThat(verified.getOk()).as(verified.getReason()).isTrue();
    assertThat(audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setRequestId(refusedRequest).build())
        .getRecordsList()).as("the refused read left no record behind").isEmpty();
  }

  /** The value of {@code secrets_audit_journal_healthy} on the metrics endpoint. */
  private double journalHealthy() throws Exception {
    Matcher m = Pattern.compile("(?m)^secrets_audit_journal_healthy(?:\\{[^}]*})? (\\S+)$")
        .matcher(broker.scrapeMetrics());
    assertThat(m.find()).as("secrets_audit_journal_healthy is exported").isTrue();
    return Double.parseDouble(m.group(1));
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
