package io.secretsbroker.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.secretsbroker.client.FakeBroker;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.DueRotation;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.Generator;
import io.secretsbroker.proto.v1.ListDueRotationsRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.SecretEvent;
import io.secretsbroker.proto.v1.SetRotationPolicyRequest;
import io.secretsbroker.proto.v1.Stage;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.proto.v1.WatchSecretsRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every sbctl command, in-process, against a fake broker on a loopback port. */
class SbctlIT {
  private static final String TOKEN = "root-token-abc";
  private static final String VALUE = "hunter2-the-secret";
  private static FakeBroker fake;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    fake = FakeBroker.loopback();
  }

  @AfterAll
  static void stopBroker() {
    fake.close();
  }

  @BeforeEach
  void resetBroker() {
    fake.reset();
  }

  private CliRun cli() {
    CliRun run = new CliRun(dir);
    run.env.put("SECRETS_BROKER_ADDR", fake.address());
    run.env.put("SECRETS_BROKER_TOKEN", TOKEN);
    return run;
  }

  private static void assertCleanFailure(CliRun r, int exit) {
    assertThat(r.exit).as(r.toString()).isEqualTo(exit);
    assertThat(r.err).as(r.toString()).startsWith("error: ").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(r.err).doesNotContain(VALUE).doesNotContain(TOKEN);
  }

  private static Instant ts(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  @Nested
  class Put {
    @Test
    void readsTheValueFromStdin_byteForByte() {
      byte[] value = {'p', 'w', 0, (byte) 0xfe, '\n'};
      CliRun r = cli().stdin(value).run("put", "app/db");

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(r.out).isEqualTo("wrote app/db version 1\n");
      assertThat(r.err).isEmpty();
      PutSecretRequest sent = fake.lastRequest("PutSecret");
      assertThat(sent.getValue().toByteArray()).isEqualTo(value);
      assertThat(sent.hasExpectedCurrentVersion()).isFalse();
      assertThat(fake.calls("PutSecret").get(0).authorization).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void readsTheValueFromAFile() throws IOException {
      Files.writeString(dir.resolve("v.txt"), VALUE);
      CliRun r = cli().run("put", "app/db", "--file", "v.txt", "--json");

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(r.out).startsWith("{\"name\":\"app/db\",\"version\":\"1\",\"stages\":[\"current\"]");
      assertThat(((PutSecretRequest) fake.lastRequest("PutSecret")).getValue().toStringUtf8()).isEqualTo(VALUE);
    }

    @Test
    void missingFile_failsWithoutAStackTrace() {
      assertCleanFailure(cli().run("put", "app/db", "--file", "nope.txt"), 1);
      assertThat(fake.calls("PutSecret")).isEmpty();
    }

    @Test
    void valueArgument_isRefusedWithoutAcknowledgement_andNeverEchoed() {
      CliRun r = cli().run("put", "app/db", "--value", VALUE);

      assertCleanFailure(r, 2);
      assertThat(r.err).contains("--insecure-value-arg");
      assertThat(fake.calls()).isEmpty();

      CliRun ok = cli().run("put", "app/db", "--value", VALUE, "--insecure-value-arg");
      assertThat(ok.exit).as(ok.toString()).isZero();
      assertThat(((PutSecretRequest) fake.lastRequest("PutSecret")).getValue().toStringUtf8()).isEqualTo(VALUE);
    }

    @Test
    void emptyStdin_isRefused() {
      assertCleanFailure(cli().run("put", "app/db"), 2);
      assertThat(fake.calls()).isEmpty();
    }

    @Test
    void cas_emptyMeansMustNotExist_andAMismatchIsExit1() {
      assertThat(cli().stdin(VALUE).run("put", "app/db", "--cas", "").exit).isZero();
      PutSecretRequest sent = fake.lastRequest("PutSecret");
      assertThat(sent.hasExpectedCurrentVersion()).isTrue();
      assertThat(sent.getExpectedCurrentVersion()).isEmpty();

      CliRun r = cli().stdin(VALUE).run("put", "app/db", "--cas=");
      assertCleanFailure(r, 1);
      assertThat(r.err).startsWith("error: FAILED_PRECONDITION: current version of \"app/db\" is \"1\"");

      assertThat(cli().stdin(VALUE).run("put", "app/db", "--cas", "1").out).isEqualTo("wrote app/db version 2\n");
    }
  }

  @Nested
  class Get {
    @Test
    void printsTheRawValue_withoutAddingANewline() {
      fake.seed("app/db", VALUE);
      CliRun r = cli().run("get", "app/db");

      assertThat(r.exit).isZero();
      assertThat(r.outBytes).isEqualTo(VALUE.getBytes(UTF_8));
      assertThat(r.err).isEmpty();
    }

    @Test
    void byVersionOrStage_sendsTheSelector() {
      fake.seed("app/db", "old");
      fake.seed("app/db", "new");

      assertThat(cli().run("get", "app/db", "--version", "1").out).isEqualTo("old");
      assertThat(((GetSecretRequest) fake.lastRequest("GetSecret")).getVersion()).isEqualTo("1");
      assertThat(cli().run("get", "app/db", "--stage", "previous").out).isEqualTo("old");
      assertThat(((GetSecretRequest) fake.lastRequest("GetSecret")).getStage()).isEqualTo(Stage.STAGE_PREVIOUS);
      assertThat(cli().run("get", "app/db", "--stage", "CURRENT").out).isEqualTo("new");
    }

    @Test
    void versionAndStage_areExclusive() {
      CliRun r = cli().run("get", "app/db", "--version", "1", "--stage", "current");

      assertCleanFailure(r, 2);
      assertThat(r.err).contains("mutually exclusive");
    }

    @Test
    void json_hasMetadataAndTheValueInBase64() {
      fake.seed("app/db", VALUE);
      CliRun r = cli().run("get", "app/db", "--json");

      assertThat(r.out).isEqualTo("{\"name\":\"app/db\",\"version\":\"1\",\"stages\":[\"current\"],"
          + "\"created\":\"2026-01-02T03:04:05Z\",\"ttl\":\"5m\",\"value_base64\":\""
          + Base64.getEncoder().encodeToString(VALUE.getBytes(UTF_8)) + "\"}\n");
    }

    @Test
    void missingSecret_isExit1WithTheServerMessage() {
      CliRun r = cli().run("get", "app/nope");

      assertCleanFailure(r, 1);
      assertThat(r.err).isEqualTo("error: NOT_FOUND: secret \"app/nope\" not found\n");
      assertThat(r.out).isEmpty();
    }

    @Test
    void revokedVersion_isFailedPrecondition() {
      fake.seed("app/db", VALUE);
      cli().run("revoke", "app/db", "--version", "1", "--reason", "leak");

      CliRun r = cli().run("get", "app/db");
      assertCleanFailure(r, 1);
      assertThat(r.err).startsWith("error: FAILED_PRECONDITION: ");
    }
  }

  @Test
  void list_printsEveryPage() {
    IntStream.range(0, 5).forEach(i -> fake.seed("app/s" + i, "v"));
    fake.seed("other/x", "v");

    CliRun r = cli().run("list", "app/");

    assertThat(r.out).isEqualTo("app/s0\napp/s1\napp/s2\napp/s3\napp/s4\n");
    assertThat(fake.calls("ListSecrets")).hasSize(3);
    assertThat(cli().run("list").out.lines()).hasSize(6);
    assertThat(cli().run("list", "other/", "--json").out).isEqualTo("{\"name\":\"other/x\",\"current_version\":\"1\","
        + "\"created\":\"2026-01-02T03:04:05Z\",\"updated\":\"2026-01-02T03:04:05Z\"}\n");
  }

  @Test
  void describe_showsVersionsAndPolicy_neverTheValue() {
    fake.seed("app/db", VALUE);
    fake.seed("app/db", VALUE + "2");

    CliRun r = cli().run("describe", "app/db");

    assertThat(r.exit).isZero();
    assertThat(r.out).contains("backend", "local", "rotation interval  90d")
        .containsPattern("1 +previous +2026-01-02T03:04:05Z +no")
        .containsPattern("2 +current +2026-01-02T03:04:06Z +no")
        .doesNotContain(VALUE);
    CliRun json = cli().run("describe", "app/db", "--json");
    assertThat(json.out).contains("\"versions\":[{\"version\":\"1\",\"stages\":[\"previous\"]")
        .contains("\"rotation_policy\":{\"interval\":\"90d\"");
  }

  @Test
  void delete_deletes() {
    fake.seed("app/db", VALUE);

    assertThat(cli().run("delete", "app/db").out).isEqualTo("deleted app/db\n");
    assertCleanFailure(cli().run("delete", "app/db"), 1);
  }

  @Nested
  class Tokens {
    @Test
    void create_printsTheTokenOnce_andSendsPrincipalPoliciesTtl() {
      fake.nextToken("sbt_new-token");
      CliRun r = cli().run("token", "create", "--principal", "ci", "--policy", "read-app", "--policy", "write-app",
          "--ttl", "720h");

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(r.out).containsOnlyOnce("sbt_new-token").contains("tok1", "read-app,write-app");
      assertThat(r.err).isEmpty();
      CreateTokenRequest sent = fake.lastRequest("CreateToken");
      assertThat(sent.getPrincipal()).isEqualTo("ci");
      assertThat(sent.getPoliciesList()).containsExactly("read-app", "write-app");
      assertThat(sent.getTtl().getSeconds()).isEqualTo(720 * 3600);

      assertThat(cli().run("token", "create", "--principal", "ci", "--json").out)
          .startsWith("{\"id\":\"tok2\",\"principal\":\"ci\"").contains("\"token\":\"sbt_new-token\"");
    }

    @Test
    void listAndRevoke() {
      cli().run("token", "create", "--principal", "ci", "--policy", "p");

      assertThat(cli().run("token", "revoke", "tok1").out).isEqualTo("revoked token tok1\n");
      CliRun list = cli().run("token", "list");
      assertThat(list.out).contains("ID", "PRINCIPAL").containsPattern("tok1 +ci +p +2026-01-02T03:04:05Z .* yes");
      assertThat(list.out).doesNotContain("sbt_");
      assertThat(cli().run("token", "list", "--json").out).contains("\"revoked\":true");
      assertCleanFailure(cli().run("token", "revoke", "nope"), 1);
    }

    @Test
    void create_withoutPrincipal_isUsage() {
      assertCleanFailure(cli().run("token", "create"), 2);
    }
  }

  @Nested
  class Policy {
    @Test
    void check_acceptsValidFiles_andReportsFaultsWithPositions() throws IOException {
      Files.writeString(dir.resolve("app.hcl"), "path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n");
      Files.writeString(dir.resolve("bad.hcl"), "path \"secret/data/x\" {\n  capabilities = [\"raed\"]\n}\n");

      CliRun ok = cli().run("policy", "check", "app.hcl");
      assertThat(ok.exit).as(ok.toString()).isZero();
      assertThat(ok.out).isEqualTo("app.hcl: ok (policy \"app\", 1 rule)\n");

      CliRun bad = cli().run("policy", "check", "app.hcl", "bad.hcl", "missing.hcl");
      assertThat(bad.exit).as(bad.toString()).isEqualTo(1);
      assertThat(bad.out).isEqualTo("app.hcl: ok (policy \"app\", 1 rule)\n");
      assertThat(bad.err).containsPattern("bad.hcl:2:\\d+: .*raed")
          .contains("missing.hcl: cannot read")
          .endsWith("2 of 3 files failed to parse\n")
          .doesNotContain("\tat ");
      assertThat(fake.calls()).isEmpty();
    }

    @Test
    void check_usesTheInjectedChecker() throws IOException {
      Files.writeString(dir.resolve("p.hcl"), "anything");
      CliRun run = cli();
      run.policyChecker = (file, text) -> PolicyChecker.Result.problem(file + ":1:1: fake says no to " + text);

      assertThat(run.run("policy", "check", "p.hcl").err).startsWith("p.hcl:1:1: fake says no to anything\n");
    }

    @Test
    void test_printsTheDecidingRule() {
      fake.checkAccessResponse(CheckAccessResponse.newBuilder().setAllowed(true)
          .setPolicyPath("secret/data/trading/db").setMatchedPattern("secret/data/trading/*")
          .addPolicies("trading").addCapabilities("read").addCapabilities("list")
          .addPrincipalPolicies("trading").build());

      CliRun r = cli().run("policy", "test", "--principal", "svc-a", "--capability", "read", "trading/db");

      assertThat(r.exit).isZero();
      assertThat(r.out).contains("decision            allowed")
          .contains("deciding rule       path \"secret/data/trading/*\" in trading")
          .contains("rule grants         read, list");
      CheckAccessRequest sent = fake.lastRequest("CheckAccess");
      assertThat(sent).isEqualTo(CheckAccessRequest.newBuilder()
          .setPrincipal("svc-a").setCapability("read").setName("trading/db").build());
      assertThat(cli().run("policy", "test", "--principal", "x", "--capability", "read", "n", "--json").out)
          .startsWith("{\"allowed\":true,\"policy_path\":\"secret/data/trading/db\"");
    }

    @Test
    void test_noMatchingRule_isExplained() {
      CliRun r = cli().run("policy", "test", "--principal", "x", "--capability", "read", "n");

      assertThat(r.out).contains("denied").contains("(no rule matches: denied by default)");
    }
  }

  @Nested
  class Audit {
    private AuditRecord record(long seq) {
      return AuditRecord.newBuilder().setSequence(seq).setPrincipal("token:svc-a")
          .setMethod("/secretsbroker.v1.SecretsService/GetSecret").setName("app/db").setVersion("1")
          .setOutcome("OK").setCacheHit(seq % 2 == 0)
          .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1767225600 + seq))
          .setLatency(com.google.protobuf.Duration.newBuilder().setNanos(1_500_000)).build();
    }

    @Test
    void query_sendsFilters_andStopsAtTheLimit() {
      fake.auditRecords(List.of(record(5), record(4), record(3), record(2), record(1)));

      CliRun r = cli().run("audit", "query", "--principal", "token:svc-a", "--prefix", "app/", "--method", "GetSecret",
          "--outcome", "OK", "--since", "24h", "--until", "2026-01-31T12:00:00Z", "--limit", "3");

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(r.out.lines()).hasSize(4);
      assertThat(r.out).contains("TIME", "OUTCOME").containsPattern("token:svc-a +GetSecret +app/db +1 +OK +- +1ms");
      QueryAuditLogRequest q = fake.lastRequest("QueryAuditLog");
      assertThat(q.getPrincipal()).isEqualTo("token:svc-a");
      assertThat(q.getNamePrefix()).isEqualTo("app/");
      assertThat(q.getMethod()).isEqualTo("GetSecret");
      assertThat(q.getOutcome()).isEqualTo("OK");
      assertThat(ts(q.getStartTime())).isEqualTo(CliRun.NOW.minusSeconds(86400));
      assertThat(ts(q.getEndTime())).isEqualTo(Instant.parse("2026-01-31T12:00:00Z"));
      assertThat(q.getPage().getPageSize()).isEqualTo(3);
      assertThat(fake.calls("QueryAuditLog")).hasSize(1);
    }

    @Test
    void query_json_isOneObjectPerLine_acrossPages() {
      fake.auditRecords(List.of(record(3), record(2), record(1)));

      CliRun r = cli().run("audit", "query", "--json", "--limit", "2");
      assertThat(r.out.lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"sequence\":").endsWith("}"));

      fake.defaultPageSize(1);
      fake.resetCalls();
      CliRun all = cli().run("audit", "query", "--json");
      assertThat(all.out.lines()).hasSize(3);
    }

    @Test
    void query_badTime_isUsage() {
      assertCleanFailure(cli().run("audit", "query", "--since", "yesterday"), 2);
    }

    @Test
    void verify_intactIsExit0_brokenIsExit1() {
      fake.verifyResponse(VerifyAuditChainResponse.newBuilder().setOk(true).setRecordsChecked(42).build());
      CliRun ok = cli().run("audit", "verify");
      assertThat(ok.exit).isZero();
      assertThat(ok.out).isEqualTo("ok: 42 records checked, chain intact\n");

      fake.verifyResponse(VerifyAuditChainResponse.newBuilder().setOk(false).setRecordsChecked(17)
          .setFirstBrokenSequence(17).setReason("record 17 was changed after it was written (MAC mismatch)").build());
      CliRun broken = cli().run("audit", "verify", "--json");
      assertThat(broken.exit).isEqualTo(1);
      assertThat(broken.out).isEqualTo(
          "{\"ok\":false,\"records_checked\":17,\"first_broken_sequence\":17,\"reason\":\"record 17 was changed"
          + " after it was written (MAC mismatch)\"}\n");
    }

    @Test
    void summary_inTableJsonAndCsv() {
      fake.accessSummaries(List.of(
          SecretAccessSummary.newBuilder().setName("app/db").setAccessCount(12).setDeniedCount(1)
              .setLastAccessor("CN=svc, O=acme").setAgeDays(91).setRotationDue(true)
              .setLastAccessed(com.google.protobuf.Timestamp.newBuilder().setSeconds(1767225600)).build(),
          SecretAccessSummary.newBuilder().setName("other/x").build()));

      CliRun table = cli().run("audit", "summary", "--prefix", "app/");
      assertThat(table.out).contains("NAME", "READS").containsPattern("app/db +12 +1 +2026-01-01T00:00:00Z +CN=svc, O=acme +91 +yes")
          .doesNotContain("other/x");

      CliRun csv = cli().run("audit", "summary", "--prefix", "app/", "--format", "csv");
      assertThat(csv.out).isEqualTo("name,access_count,denied_count,last_accessed,last_accessor,age_days,rotation_due\n"
          + "app/db,12,1,2026-01-01T00:00:00Z,\"CN=svc, O=acme\",91,true\n");

      CliRun json = cli().run("audit", "summary", "--format", "JSON");
      assertThat(json.out.lines()).hasSize(2);
      assertThat(json.out).contains("{\"name\":\"other/x\",\"access_count\":0,\"denied_count\":0,\"last_accessed\":null");

      assertCleanFailure(cli().run("audit", "summary", "--format", "xml"), 2);
    }
  }

  @Nested
  class Rotation {
    @Test
    void rotate_withTheGenerator_orAValueFromStdin() {
      fake.seed("app/db", "v1");

      CliRun r = cli().run("rotate", "app/db");
      assertThat(r.out).isEqualTo("rotated app/db to version 2 (previous 1)\n");
      assertThat(((RotateSecretRequest) fake.lastRequest("RotateSecret")).hasValue()).isFalse();

      CliRun ext = cli().stdin(VALUE).run("rotate", "app/db", "--value-file", "-");
      assertThat(ext.exit).isZero();
      assertThat(((RotateSecretRequest) fake.lastRequest("RotateSecret")).getValue().toStringUtf8()).isEqualTo(VALUE);
      assertThat(ext.out + ext.err).doesNotContain(VALUE);
    }

    @Test
    void due_sendsTheWindow_andPrintsEveryPage() {
      fake.dueRotations(List.of(
          DueRotation.newBuilder().setName("app/a").setAgeDays(120).setOverdue(true)
              .setDueTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1767225600)).build(),
          DueRotation.newBuilder().setName("app/b").setAgeDays(85).build(),
          DueRotation.newBuilder().setName("app/c").setAgeDays(84).build()));

      CliRun r = cli().run("rotation", "due", "--within", "7d");

      assertThat(r.out).containsPattern("app/a +120 +2026-01-01T00:00:00Z +yes").contains("app/b", "app/c");
      assertThat(((ListDueRotationsRequest) fake.lastRequest("ListDueRotations")).getWithin().getSeconds())
          .isEqualTo(7 * 86400);
      assertThat(fake.calls("ListDueRotations")).hasSize(2);
      assertThat(cli().run("rotation", "due", "--json").out.lines()).hasSize(3);
    }

    @Test
    void status_andPolicySet() {
      CliRun set = cli().run("rotation", "policy", "set", "app/db", "--interval", "30d",
          "--generator", "password:40", "--classes", "lower,digits", "--grace", "24h");

      assertThat(set.exit).as(set.toString()).isZero();
      SetRotationPolicyRequest sent = fake.lastRequest("SetRotationPolicy");
      assertThat(sent.getPolicy().getInterval().getSeconds()).isEqualTo(30 * 86400);
      assertThat(sent.getPolicy().getGenerator()).isEqualTo(Generator.newBuilder()
          .setKind(Generator.Kind.KIND_PASSWORD).setLength(40).addCharacterClasses("lower")
          .addCharacterClasses("digits").build());
      assertThat(sent.getPolicy().getGracePeriod().getSeconds()).isEqualTo(86400);

      CliRun status = cli().run("rotation", "status", "app/db");
      assertThat(status.out).contains("interval         30d", "password:40 (lower,digits)", "grace period     1d");
      assertThat(cli().run("rotation", "status", "app/db", "--json").out)
          .contains("\"policy\":{\"interval\":\"30d\",\"generator\":\"password:40 (lower,digits)\",\"grace\":\"1d\"}");

      cli().run("rotation", "policy", "set", "app/x", "--generator", "external");
      assertThat(((SetRotationPolicyRequest) fake.lastRequest("SetRotationPolicy")).getPolicy().getGenerator().getKind())
          .isEqualTo(Generator.Kind.KIND_EXTERNAL);
    }

    @Test
    void policySet_rejectsBadInput() {
      assertCleanFailure(cli().run("rotation", "policy", "set", "app/db", "--generator", "pasword:32"), 2);
      assertCleanFailure(cli().run("rotation", "policy", "set", "app/db", "--generator", "external:3"), 2);
      assertCleanFailure(cli().run("rotation", "policy", "set", "app/db", "--interval", "30days"), 2);
      assertCleanFailure(cli().run("rotation", "policy", "set", "app/db"), 2);
      assertCleanFailure(cli().run("rotation", "policy", "set", "app/db", "--generator", "random-bytes:32",
          "--classes", "lower"), 2);
      assertThat(fake.calls()).isEmpty();
    }
  }

  @Nested
  class Revocation {
    @Test
    void revoke_sendsVersionAndReason_andRevocationsListsIt() {
      fake.seed("app/db", VALUE);

      CliRun r = cli().run("revoke", "app/db", "--version", "1", "--reason", "leaked in CI log");

      assertThat(r.out).isEqualTo("revoked app/db version 1\n");
      RevokeSecretVersionRequest sent = fake.lastRequest("RevokeSecretVersion");
      assertThat(sent.getReason()).isEqualTo("leaked in CI log");
      assertThat(cli().run("revocations", "list", "app/").out).containsPattern("app/db +1 +root +leaked in CI log");
      assertThat(cli().run("revocations", "list", "other/").out.lines()).hasSize(1);
      assertThat(cli().run("revocations", "list", "--json").out).contains("\"reason\":\"leaked in CI log\"");
    }

    @Test
    void revoke_needsVersionAndReason() {
      assertCleanFailure(cli().run("revoke", "app/db", "--version", "1"), 2);
      assertCleanFailure(cli().run("revoke", "app/db", "--reason", "x"), 2);
      assertCleanFailure(cli().run("revoke", "app/db", "--version", "1", "--reason", " "), 2);
    }
  }

  @Nested
  class WatchCmd {
    @Test
    void printsEvents_untilTheCountIsReached() throws InterruptedException {
      CliRun run = cli();
      Thread t = new Thread(() -> run.run("watch", "app/", "--count", "2"));
      t.start();
      awaitWatch(t);

      fake.emit(SecretEvent.Type.TYPE_UPDATED, "other/x", "1");
      fake.emit(SecretEvent.Type.TYPE_ROTATED, "app/db", "7");
      fake.emit(SecretEvent.Type.TYPE_REVOKED, "app/db", "6");
      t.join(10_000);

      assertThat(t.isAlive()).isFalse();
      assertThat(run.exit).as(run.toString()).isZero();
      assertThat(run.out).isEqualTo("2026-01-02T03:04:05Z  rotated  app/db  7\n2026-01-02T03:04:05Z  revoked  app/db  6\n");
      assertThat(fake.watchRequests().get(0)).isEqualTo(WatchSecretsRequest.newBuilder().addPrefixes("app/").build());
    }

    @Test
    void json_andStopOnRefusal() throws InterruptedException {
      CliRun run = cli();
      Thread t = new Thread(() -> run.run("watch", "--json"));
      t.start();
      awaitWatch(t);

      fake.emit(SecretEvent.Type.TYPE_DELETED, "app/db", "");
      fake.breakWatches(Status.PERMISSION_DENIED.withDescription("token revoked"));
      t.join(10_000);

      assertThat(t.isAlive()).isFalse();
      assertThat(run.out).isEqualTo("{\"event_id\":1,\"type\":\"deleted\",\"name\":\"app/db\",\"version\":\"\","
          + "\"time\":\"2026-01-02T03:04:05Z\"}\n");
      assertThat(run.exit).isEqualTo(1);
      assertThat(run.err).isEqualTo("error: PERMISSION_DENIED: token revoked\n");
    }

    private void awaitWatch(Thread t) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (fake.openWatches() == 0 && t.isAlive() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(fake.openWatches()).isEqualTo(1);
    }
  }

  @Nested
  class GlobalOptions {
    @Test
    void tokenSources_inOrderOfPrecedence() throws IOException {
      fake.seed("app/db", "v");
      Files.createDirectories(dir.resolve(".secrets-broker"));
      Files.writeString(dir.resolve(".secrets-broker/root-token"), "dev-root\n");
      Files.writeString(dir.resolve("tok-a"), "  file-a \n");
      Files.writeString(dir.resolve("tok-b"), "file-b");

      CliRun run = cli();
      run.env.remove("SECRETS_BROKER_TOKEN");
      run.run("get", "app/db");
      assertThat(lastAuthorization()).isEqualTo("Bearer dev-root");

      run.env.put("SECRETS_BROKER_TOKEN_FILE", "tok-b");
      run.run("get", "app/db");
      assertThat(lastAuthorization()).isEqualTo("Bearer file-b");

      run.run("--token-file", "tok-a", "get", "app/db");
      assertThat(lastAuthorization()).isEqualTo("Bearer file-a");

      run.env.put("SECRETS_BROKER_TOKEN", "env-token");
      run.run("get", "app/db", "--token-file", "tok-a");
      assertThat(lastAuthorization()).isEqualTo("Bearer env-token");

      run.run("get", "app/db", "--token", "flag-token");
      assertThat(lastAuthorization()).isEqualTo("Bearer flag-token");
    }

    @Test
    void noTokenAnywhere_sendsNoHeader_andTheRefusalIsExit1() {
      fake.failNext("GetSecret", Status.UNAUTHENTICATED.withDescription("missing bearer token"));
      CliRun run = cli();
      run.env.remove("SECRETS_BROKER_TOKEN");

      CliRun r = run.run("get", "app/db");

      assertThat(lastAuthorization()).isNull();
      assertCleanFailure(r, 1);
      assertThat(r.err).isEqualTo("error: UNAUTHENTICATED: missing bearer token\n");
    }

    @Test
    void unreadableTokenFile_isUsage() {
      CliRun run = cli();
      run.env.remove("SECRETS_BROKER_TOKEN");
      assertCleanFailure(run.run("get", "app/db", "--token-file", "missing"), 2);
    }

    @Test
    void addr_flagOverridesTheEnvironment_anywhereOnTheLine() {
      fake.seed("app/db", "v");
      CliRun run = cli();
      run.env.put("SECRETS_BROKER_ADDR", "127.0.0.1:1");

      assertThat(run.run("--addr", fake.address(), "get", "app/db").exit).isZero();
      assertThat(run.run("get", "app/db", "--addr", fake.address()).exit).isZero();
    }

    @Test
    void deadline_isApplied() {
      fake.seed("app/db", "v");
      cli().run("get", "app/db", "--deadline", "2s");

      long remaining = fake.calls("GetSecret").get(0).deadline.timeRemaining(TimeUnit.MILLISECONDS);
      assertThat(remaining).isBetween(1000L, 2000L);
    }

    @Test
    void brokerDown_isUnavailable_exit1() throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      CliRun r = cli().run("get", "app/db", "--addr", "127.0.0.1:" + port, "--retries", "0");

      assertCleanFailure(r, 1);
      assertThat(r.err).startsWith("error: UNAVAILABLE: ").hasLineCount(1);
    }

    @Test
    void unavailable_isRetried() {
      fake.seed("app/db", "v");
      fake.failNext("GetSecret", Status.UNAVAILABLE);

      CliRun r = cli().run("get", "app/db", "--retries", "1");

      assertThat(r.exit).as(r.toString()).isZero();
      assertThat(fake.calls("GetSecret")).hasSize(2);
    }

    @Test
    void plaintextToARemoteAddress_isRefused() {
      CliRun r = cli().run("get", "app/db", "--addr", "10.1.2.3:7700");

      assertCleanFailure(r, 2);
      assertThat(r.err).contains("plaintext is allowed only for loopback addresses");
    }

    @Test
    void certWithoutKey_isUsage() {
      assertCleanFailure(cli().run("get", "app/db", "--ca", "ca.pem", "--cert", "c.pem"), 2);
    }

    @Test
    void usageErrors_areExit2() {
      CliRun none = cli().run();
      assertThat(none.exit).isEqualTo(2);
      assertThat(none.err).contains("Usage: sbctl");

      CliRun unknown = cli().run("frobnicate");
      assertThat(unknown.exit).isEqualTo(2);
      assertThat(unknown.err).startsWith("error: Unmatched argument");

      assertThat(cli().run("token").exit).isEqualTo(2);
      assertThat(cli().run("get").exit).isEqualTo(2);
      assertThat(cli().run("audit", "query", "--limit", "0").exit).isEqualTo(2);
      assertThat(fake.calls()).isEmpty();
    }

    @Test
    void help_andVersion_areExit0() {
      CliRun help = cli().run("--help");
      assertThat(help.exit).isZero();
      assertThat(help.out).contains("put", "get", "audit", "rotation", "revocations", "watch", "SECRETS_BROKER_ADDR");
      assertThat(cli().run("rotation", "policy", "set", "--help").out).contains("--generator", "--addr");
      assertThat(cli().run("--version").out).startsWith("sbctl ");
    }

    private String lastAuthorization() {
      List<FakeBroker.RecordedCall> calls = fake.calls();
      return calls.get(calls.size() - 1).authorization;
    }
  }
}
