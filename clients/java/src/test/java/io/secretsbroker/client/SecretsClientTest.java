package io.secretsbroker.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretsClientTest {
  private static final String TOKEN = "s3cr3t-token-value";

  private final FakeBroker fake = FakeBroker.inProcess();
  private final List<Duration> sleeps = new ArrayList<>();
  private final List<SecretsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(SecretsClient::close);
    fake.close();
  }

  private SecretsClient client(UnaryOperator<SecretsClient.Builder> config) {
    SecretsClient c = config.apply(SecretsClient.builder()
        .channel(fake.inProcessChannel())
        .environment(Map.<String, String>of()::get)
        .sleeper(sleeps::add)
        .scheduler(new ManualScheduler())
        .random(new Random(7))).build();
    clients.add(c);
    return c;
  }

  private SecretsClient client() {
    return client(b -> b.token(TOKEN));
  }

  @Test
  void everyCall_carriesTheBearerToken() {
    fake.seed("app/db", "pw");
    SecretsClient c = client();

    c.get("app/db");
    c.list("").toList();
    c.rotation().status("app/db");
    c.admin().listTokens();

    assertThat(fake.calls()).hasSize(4).allSatisfy(call -> assertThat(call.authorization).isEqualTo("Bearer " + TOKEN));
  }

  @Test
  void withoutToken_noAuthorizationHeaderIsSent() {
    fake.seed("app/db", "pw");
    client(b -> b).get("app/db");

    assertThat(fake.calls("GetSecret").get(0).authorization).isNull();
  }

  @Test
  void token_defaultsToTheEnvironment() {
    fake.seed("app/db", "pw");
    client(b -> b.environment(Map.of(SecretsClient.TOKEN_ENV, " from-env\n")::get)).get("app/db");

    assertThat(fake.calls("GetSecret").get(0).authorization).isEqualTo("Bearer from-env");
  }

  @Test
  void everyCall_hasTheConfiguredDeadline() {
    fake.seed("app/db", "pw");
    client(b -> b.deadline(Duration.ofSeconds(2))).get("app/db");

    long remaining = fake.calls("GetSecret").get(0).deadline.timeRemaining(TimeUnit.MILLISECONDS);
    assertThat(remaining).isBetween(1000L, 2000L);
  }

  @Test
  void deadline_defaultsToFiveSeconds() {
    fake.seed("app/db", "pw");
    client().describe("app/db");

    assertThat(fake.calls("DescribeSecret").get(0).deadline.timeRemaining(TimeUnit.MILLISECONDS))
        .isBetween(4000L, 5000L);
  }

  @Test
  void get_returnsValueAndMetadata() {
    fake.seed("app/db", "old");
    fake.seed("app/db", "new");

    Secret s = client().get("app/db");

    assertThat(s.name()).isEqualTo("app/db");
    assertThat(s.valueAsString()).isEqualTo("new");
    assertThat(s.value()).isEqualTo("new".getBytes(UTF_8));
    assertThat(s.version()).isEqualTo("2");
    assertThat(s.stages()).containsExactly(Stage.CURRENT);
    assertThat(s.createdAt()).isEqualTo(FakeBroker.T0.plusSeconds(1));
    assertThat(s.cacheTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void get_byStageOrVersion_sendsTheSelector() {
    fake.seed("app/db", "old");
    fake.seed("app/db", "new");
    SecretsClient c = client();

    assertThat(c.get("app/db", Stage.PREVIOUS).valueAsString()).isEqualTo("old");
    GetSecretRequest byStage = fake.lastRequest("GetSecret");
    assertThat(byStage.getStage()).isEqualTo(io.secretsbroker.proto.v1.Stage.STAGE_PREVIOUS);

    assertThat(c.getVersion("app/db", "2").valueAsString()).isEqualTo("new");
    GetSecretRequest byVersion = fake.lastRequest("GetSecret");
    assertThat(byVersion.getVersion()).isEqualTo("2");

    c.get("app/db");
    GetSecretRequest current = fake.lastRequest("GetSecret");
    assertThat(current.getSelectorCase()).isEqualTo(GetSecretRequest.SelectorCase.SELECTOR_NOT_SET);
  }

  @Test
  void unavailable_isRetriedWithGrowingJitteredBackoff_thenSucceeds() {
    fake.seed("app/db", "pw");
    fake.failNext("GetSecret", Status.UNAVAILABLE, Status.UNAVAILABLE);

    Secret s = client(b -> b.maxRetries(3).retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))).get("app/db");

    assertThat(s.valueAsString()).isEqualTo("pw");
    assertThat(fake.calls("GetSecret")).hasSize(3);
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void unavailable_givesUpAfterMaxRetries_withBackoffBounded() {
    Status down = Status.UNAVAILABLE.withDescription("backend down");
    fake.failNext("GetSecret", down, down, down, down, down, down);

    SecretsClient c = client(b -> b.maxRetries(4).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(300)));

    assertThatThrownBy(() -> c.get("app/db"))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("UNAVAILABLE: backend down");
    assertThat(fake.calls("GetSecret")).hasSize(5);
    assertThat(sleeps).hasSize(4).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(300)));
  }

  @Test
  void otherErrors_areNotRetried() {
    SecretsClient c = client();

    assertThatThrownBy(() -> c.get("app/missing"))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessage("NOT_FOUND: secret \"app/missing\" not found")
        .satisfies(e -> assertThat(((SecretsBrokerException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
        .satisfies(e -> assertThat(((SecretsBrokerException) e).serverMessage())
            .isEqualTo("secret \"app/missing\" not found"));
    fake.failNext("GetSecret", Status.PERMISSION_DENIED.withDescription("no read on secret/data/app/db"));
    assertThatThrownBy(() -> c.get("app/db")).isInstanceOf(PermissionDeniedException.class);
    fake.failNext("GetSecret", Status.UNAUTHENTICATED.withDescription("unknown token"));
    assertThatThrownBy(() -> c.get("app/db")).isInstanceOf(UnauthenticatedException.class);
    fake.failNext("GetSecret", Status.INTERNAL.withDescription("boom"));
    assertThatThrownBy(() -> c.get("app/db"))
        .isExactlyInstanceOf(SecretsBrokerException.class)
        .satisfies(e -> assertThat(((SecretsBrokerException) e).code()).isEqualTo(ErrorCode.INTERNAL));

    assertThat(fake.calls("GetSecret")).hasSize(4);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void put_withoutCheckAndSet_isNotRetried_becauseALostResponseWouldWriteTwice() {
    fake.failNext("PutSecret", Status.UNAVAILABLE, Status.UNAVAILABLE);
    SecretsClient c = client();

    assertThatThrownBy(() -> c.put("app/db", "v".getBytes(UTF_8))).isInstanceOf(UnavailableException.class);
    assertThat(fake.calls("PutSecret")).hasSize(1);
  }

  @Test
  void put_withCheckAndSet_isRetried() {
    fake.failNext("PutSecret", Status.UNAVAILABLE);

    VersionMetadata written = client().put("app/db", "v".getBytes(UTF_8), "");

    assertThat(written.version()).isEqualTo("1");
    assertThat(fake.calls("PutSecret")).hasSize(2);
  }

  @Test
  void put_sendsValueAndReturnsTheNewVersion() {
    VersionMetadata written = client().put("app/db", new byte[] {0, (byte) 0xff, 10});

    PutSecretRequest sent = fake.lastRequest("PutSecret");
    assertThat(sent.getValue().toByteArray()).containsExactly(0, 0xff, 10);
    assertThat(sent.hasExpectedCurrentVersion()).isFalse();
    assertThat(written).isEqualTo(new VersionMetadata("1", Set.of(Stage.CURRENT), FakeBroker.T0, false));
  }

  @Test
  void put_checkAndSet_emptyMeansMustNotExist_andMismatchIsFailedPrecondition() {
    SecretsClient c = client();
    c.put("app/db", "a".getBytes(UTF_8), "");
    PutSecretRequest first = fake.lastRequest("PutSecret");
    assertThat(first.hasExpectedCurrentVersion()).isTrue();
    assertThat(first.getExpectedCurrentVersion()).isEmpty();

    assertThatThrownBy(() -> c.put("app/db", "b".getBytes(UTF_8), ""))
        .isInstanceOf(FailedPreconditionException.class);
    assertThat(c.put("app/db", "c".getBytes(UTF_8), "1").version()).isEqualTo("2");
  }

  @Test
  void list_fetchesPagesOnlyWhenReached() {
    IntStream.range(0, 5).forEach(i -> fake.seed("app/s" + i, "v"));
    SecretsClient c = client();

    assertThat(c.list("app/").limit(1).map(SecretSummary::name).toList()).containsExactly("app/s0");
    assertThat(fake.calls("ListSecrets")).hasSize(1);

    fake.resetCalls();
    List<SecretSummary> all = c.list("app/").toList();
    assertThat(all).extracting(SecretSummary::name).containsExactly("app/s0", "app/s1", "app/s2", "app/s3", "app/s4");
    assertThat(all.get(0).currentVersion()).isEqualTo("1");
    assertThat(fake.calls("ListSecrets")).extracting(call -> ((ListSecretsRequest) call.request).getPage().getPageToken())
        .containsExactly("", "2", "4");
    assertThat(fake.calls("ListSecrets")).allSatisfy(
        call -> assertThat(((ListSecretsRequest) call.request).getPrefix()).isEqualTo("app/"));
  }

  @Test
  void list_failureSurfacesFromTheStream() {
    IntStream.range(0, 3).forEach(i -> fake.seed("app/s" + i, "v"));
    fake.failNext("ListSecrets", Status.PERMISSION_DENIED.withDescription("no list on secret/metadata/app/"));

    java.util.stream.Stream<SecretSummary> listing = client().list("app/");
    assertThat(fake.calls("ListSecrets")).isEmpty();

    assertThatThrownBy(listing::toList).isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void batchGet_reportsEachItemOnItsOwn() {
    fake.seed("app/a", "A");
    SecretsClient c = client();

    List<BatchItem> items = c.batchGet("app/a", "app/missing");

    assertThat(items).extracting(BatchItem::name).containsExactly("app/a", "app/missing");
    assertThat(items.get(0).succeeded()).isTrue();
    assertThat(items.get(0).secret().valueAsString()).isEqualTo("A");
    assertThat(items.get(1).succeeded()).isFalse();
    assertThat(items.get(1).error()).get().extracting(SecretsBrokerException::code).isEqualTo(ErrorCode.NOT_FOUND);
    assertThatThrownBy(() -> items.get(1).secret()).isInstanceOf(SecretNotFoundException.class);
    assertThat(items.get(0).toString()).doesNotContain("A]").contains("[REDACTED]");
  }

  @Test
  void batchGet_splitsIntoRequestsOfAtMostOneHundred() {
    List<String> names = IntStream.range(0, 230).mapToObj(i -> "n/" + i).toList();

    List<BatchItem> items = client().batchGet(names);

    assertThat(items).hasSize(230);
    assertThat(fake.calls("BatchGetSecrets")).extracting(
        call -> ((io.secretsbroker.proto.v1.BatchGetSecretsRequest) call.request).getRequestsCount())
        .containsExactly(100, 100, 30);
  }

  @Test
  void describe_mapsVersionsStagesAndTimes() {
    fake.seed("app/db", "a");
    fake.seed("app/db", "b");

    SecretDescription d = client().describe("app/db");

    assertThat(d.name()).isEqualTo("app/db");
    assertThat(d.backend()).isEqualTo("local");
    assertThat(d.versions()).containsExactly(
        new VersionMetadata("1", Set.of(Stage.PREVIOUS), FakeBroker.T0, false),
        new VersionMetadata("2", Set.of(Stage.CURRENT), FakeBroker.T0.plusSeconds(1), false));
    assertThat(d.createdAt()).isEqualTo(FakeBroker.T0);
    assertThat(d.lastRotatedAt()).isNull();
    assertThat(d.nextRotationAt()).isNotNull();
    assertThat(d.rotationPolicy().getInterval().getSeconds()).isEqualTo(7776000);
  }

  @Test
  void delete_removesTheSecret() {
    fake.seed("app/db", "a");
    SecretsClient c = client();

    c.delete("app/db");

    assertThatThrownBy(() -> c.get("app/db")).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void errorMessages_neverCarryTheTokenOrTheValue() {
    fake.seed("app/db", "hunter2");
    fake.failNext("GetSecret", Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE);
    SecretsClient c = client(b -> b.token(TOKEN).maxRetries(1));
    Throwable thrown = null;
    try {
      c.get("app/db");
    } catch (SecretsBrokerException e) {
      thrown = e;
    }
    assertThat(thrown).isNotNull();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t)).doesNotContain(TOKEN).doesNotContain("hunter2");
    }
    assertThat(SecretsClient.builder().token(TOKEN).toString()).doesNotContain(TOKEN).contains("[REDACTED]");
    assertThat(new BearerToken(TOKEN).toString()).doesNotContain(TOKEN);
  }

  @Test
  void operatorServices_carryTokenDeadlineAndMapResults() {
    fake.seed("app/db", "a");
    SecretsClient c = client();

    assertThat(c.rotation().rotate("app/db").getNewVersion()).isEqualTo("2");
    assertThat(c.rotation().rotate("app/db", "ext".getBytes(UTF_8)).getPreviousVersion()).isEqualTo("2");
    assertThat(c.get("app/db").valueAsString()).isEqualTo("ext");
    assertThat(c.revocation().revoke("app/db", "1", "leaked").getReason()).isEqualTo("leaked");
    assertThat(c.revocation().list("app/").toList()).hasSize(1);
    assertThat(c.audit().verify().getOk()).isTrue();
    CreatedToken token = c.admin().createToken("ci", List.of("read-app"), Duration.ofHours(720));
    assertThat(token.token()).isEqualTo("sbt_fake-token-0001");
    assertThat(token.toString()).doesNotContain("sbt_fake-token-0001");
    assertThat(token.info().getPrincipal()).isEqualTo("ci");
    c.admin().revokeToken(token.info().getId());
    assertThat(c.admin().listTokens().get(0).getRevoked()).isTrue();

    assertThat(fake.calls()).allSatisfy(call -> {
      assertThat(call.authorization).isEqualTo("Bearer " + TOKEN);
      assertThat(call.deadline).isNotNull();
    });
  }

  @Test
  void rotateAndCreateToken_areNotRetried() {
    fake.seed("app/db", "a");
    fake.failNext("RotateSecret", Status.UNAVAILABLE);
    fake.failNext("CreateToken", Status.UNAVAILABLE);
    SecretsClient c = client();

    assertThatThrownBy(() -> c.rotation().rotate("app/db")).isInstanceOf(UnavailableException.class);
    assertThatThrownBy(() -> c.admin().createToken("p", List.of(), Duration.ZERO))
        .isInstanceOf(UnavailableException.class);
    assertThat(fake.calls()).hasSize(2);
  }

  @Test
  void auditQuery_keepsFiltersAndPageSizeAcrossPages() {
    fake.auditRecords(IntStream.range(0, 5).mapToObj(i ->
        io.secretsbroker.proto.v1.AuditRecord.newBuilder().setSequence(5 - i).build()).toList());
    SecretsClient c = client();

    List<io.secretsbroker.proto.v1.AuditRecord> records = c.audit().query(
        io.secretsbroker.proto.v1.QueryAuditLogRequest.newBuilder().setPrincipal("token:ci")
            .setPage(io.secretsbroker.proto.v1.PageRequest.newBuilder().setPageSize(3)).build()).toList();

    assertThat(records).extracting(io.secretsbroker.proto.v1.AuditRecord::getSequence).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(fake.calls("QueryAuditLog")).hasSize(2).allSatisfy(call -> {
      var q = (io.secretsbroker.proto.v1.QueryAuditLogRequest) call.request;
      assertThat(q.getPrincipal()).isEqualTo("token:ci");
      assertThat(q.getPage().getPageSize()).isEqualTo(3);
    });
  }

  @Test
  void close_shutsTheChannelDown() {
    ManagedChannel channel = fake.inProcessChannel();
    SecretsClient c = SecretsClient.builder().channel(channel).build();

    c.close();

    assertThat(channel.isShutdown()).isTrue();
  }
}
