package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of bad tokens from one address: the first failures of a window are UNAUTHENTICATED, the rest are refused
 * with RESOURCE_EXHAUSTED before any lookup, and the audit log holds one aggregated record for the window instead of
 * one per attempt.
 */
class FailedAuthFloodIT {
  @TempDir
  Path tmp;

  @Test
  void badTokenFlood_tripsTheLimiter_andIsAuditedAsOneAggregatedRecord() throws Exception {
    try (TestBroker broker = TestBroker.start(tmp.resolve("data"), """
        auth:
          root-token-file: "%s"
          failed-auth-limit: 5
          failed-auth-window: 2s
        """.formatted(tmp.resolve("data/root-token")), Clock.systemUTC())) {
      var audit = broker.audit(broker.rootToken());
      audit.queryAuditLog(QueryAuditLogRequest.getDefaultInstance()); // the root token is now known in memory
      var anonymous = broker.secrets("sbt_not-a-real-token");
      Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
      long started = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        try {
          anonymous.getSecret(GetSecretRequest.newBuilder().setName("any/thing").build());
        } catch (StatusRuntimeException e) {
          outcomes.merge(e.getStatus().getCode(), 1, Integer::sum);
        }
      }
      // the whole flood fell into one window only if it took less than the window: then the split is exact
      boolean oneWindow = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2);
      assertThat(outcomes.keySet()).containsOnly(Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED);
      if (oneWindow) {
        assertThat(outcomes).containsEntry(Status.Code.UNAUTHENTICATED, 5).containsEntry(Status.Code.RESOURCE_EXHAUSTED,
            195);
      }

      // a token already known valid keeps working from the same address while it is over its limit
      assertThat(audit.queryAuditLog(QueryAuditLogRequest.getDefaultInstance()).getRecordsCount()).isPositive();

      // once the window has ended its aggregated record is written (within about a second)
      List<AuditRecord> aggregated = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        aggregated = audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setMethod("auth/FailedAuthentications")
            .setPage(PageRequest.newBuilder().setPageSize(100)).build()).getRecordsList();
        long counted = aggregated.stream().mapToLong(FailedAuthFloodIT::attempts).sum();
        if (counted == 200) {
          break;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // poll, bounded above
      }
      assertThat(aggregated).allSatisfy(r -> {
        assertThat(r.getOutcome()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.getPeer()).isEqualTo("127.0.0.1");
        assertThat(r.getPrincipal()).isEqualTo("anonymous");
      });
      assertThat(aggregated.stream().mapToLong(FailedAuthFloodIT::attempts).sum()).isEqualTo(200);
      if (oneWindow) {
        assertThat(aggregated).singleElement().satisfies(r -> assertThat(r.getDetail())
            .startsWith("5 failed authentications, 195 more refused without a check"));
      }
      // no record per attempt
      assertThat(audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setMethod("GetSecret")
          .setOutcome("UNAUTHENTICATED").build()).getRecordsList()).isEmpty();
    }
  }

  private static long attempts(AuditRecord r) {
    String[] words = r.getDetail().split(" ");
    long n = Long.parseLong(words[0]);
    int more = r.getDetail().indexOf(", ");
    if (more > 0) {
      n += Long.parseLong(r.getDetail().substring(more + 2).split(" ")[0]);
    }
    return n;
  }
}
