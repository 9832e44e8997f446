package io.secretsbroker.server.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.audit.AuditText;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.BatchGetSecretsRequest;
import io.secretsbroker.proto.v1.BatchGetSecretsResponse;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.server.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names full of NUL, control characters, line and paragraph separators, quotes, backslashes and non-characters are
 * refused as INVALID_ARGUMENT — and every such request is still recorded, on H2 and on PostgreSQL (whose text
 * columns reject NUL): the chain verifies, the index returns each name in its escaped form, and every line of the
 * JSON mirror parses.
 */
class AuditAdversarialInputIT {
  /** What crosses the wire (protobuf encodes a lone surrogate as '?', so that case is the journal's unit test). */
  private static final List<String> NASTY = List.of("nul\u0000in/the-middle", "tab\tand\nnewline/x", "\u2028line",
      "para\u2029graph/y", "quote\"back\\slash", "del\u007fnel\u0085c1", "non\uFFFEchar\uFFFF", "\u0001\u001f/z",
      "😀/emoji/ok\u0000");

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "state on {0}")
  @ValueSource(strings = {"h2", "postgresql"})
  void adversarialNames_areRefused_andEachRequestIsRecordedAndVerifiable(String state) throws Exception {
    HaDatabase db = state.equals("postgresql") ? HaDatabase.create() : null;
    Path mirror = tmp.resolve("audit.jsonl");
    String yaml = "audit:\n  file: \"" + mirror + "\"\n" + (db == null ? "" : "state:\n  type: postgresql\n  url: \""
        + db.urlVia(HaDatabase.port()) + "\"\n  username: postgres\n")
        + "auth:\n  root-token-file: \"" + tmp.resolve("data/root-token") + "\"\n";
    try (TestBroker broker = TestBroker.start(tmp.resolve("data"), yaml, Clock.systemUTC())) {
      String token = broker.rootToken();
      var secrets = broker.secrets(token);
      for (String name : NASTY) {
        assertThat(code(() -> secrets.getSecret(GetSecretRequest.newBuilder().setName(name).build())))
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> secrets.putSecret(PutSecretRequest.newBuilder().setName(name)
            .setValue(ByteString.copyFromUtf8("v")).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
      }
      BatchGetSecretsResponse batch = secrets.batchGetSecrets(BatchGetSecretsRequest.newBuilder()
          .addRequests(GetSecretRequest.newBuilder().setName(NASTY.get(0)))
          .addRequests(GetSecretRequest.newBuilder().setName("ok/absent")).build());
      assertThat(batch.getResultsList()).extracting(r -> r.getError().getCode())
          .containsExactly("INVALID_ARGUMENT", "NOT_FOUND");

      var audit = broker.audit(token);
      VerifyAuditChainResponse v = audit.verifyAuditChain(VerifyAuditChainRequest.getDefaultInstance());
      assertThat(v.getReason()).isEmpty();
      assertThat(v.getOk()).isTrue();

      Set<String> expected = NASTY.stream().map(n -> AuditText.escape(n, 512)).collect(Collectors.toSet());
      List<AuditRecord> gets = audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setMethod("GetSecret")
          .setOutcome("INVALID_ARGUMENT").setPage(PageRequest.newBuilder().setPageSize(100)).build()).getRecordsList();
      assertThat(gets).extracting(AuditRecord::getName).containsExactlyInAnyOrderElementsOf(expected);
      List<AuditRecord> puts = audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setMethod("PutSecret")
          .setPage(PageRequest.newBuilder().setPageSize(100)).build()).getRecordsList();
      assertThat(puts).filteredOn(r -> r.getKind().equals("INTENT")).extracting(AuditRecord::getName)
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(puts).filteredOn(r -> r.getKind().equals("OUTCOME")).extracting(AuditRecord::getOutcome)
          .hasSize(NASTY.size()).containsOnly("INVALID_ARGUMENT");
      List<AuditRecord> items = audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setMethod("BatchGetSecrets")
          .setPage(PageRequest.newBuilder().setPageSize(10)).build()).getRecordsList();
      assertThat(items).extracting(AuditRecord::getName, AuditRecord::getOutcome).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple(AuditText.escape(NASTY.get(0), 512), "INVALID_ARGUMENT"),
          org.assertj.core.groups.Tuple.tuple("ok/absent", "NOT_FOUND"));
    } finally {
      if (db != null) {
        db.close();
      }
    }
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(mirror, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThan(NASTY.size() * 3);
    for (String line : lines) {
      assertThat(line).doesNotContain("\u2028", "\u2029", "\u0000");
      JsonNode node = json.readTree(line);
      assertThat(node.get("mac").asText()).hasSize(64);
    }
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("expected a failure");
  }
}
