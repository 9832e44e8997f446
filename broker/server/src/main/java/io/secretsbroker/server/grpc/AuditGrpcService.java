package io.secretsbroker.server.grpc;

import io.grpc.stub.StreamObserver;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.SecretNames;
import io.secretsbroker.core.audit.AccessStats;
import io.secretsbroker.core.audit.AuditLog;
import io.secretsbroker.core.audit.AuditQuery;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.core.audit.ChainVerification;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.core.rotation.SecretAges;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AccessSummaryResponse;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.QueryAuditLogResponse;
import io.secretsbroker.proto.v1.ReplicaChain;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import io.secretsbroker.spi.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code AuditService}: what auditors ask. Every call needs {@code audit} on {@code sys/audit}. */
final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
  private final AuditLog audit;
  private final AccessControl access;
  private final SecretAges ages;

  AuditGrpcService(AuditLog audit, AccessControl access, SecretAges ages) {
    this.audit = audit;
    this.access = access;
    this.ages = ages;
  }

  @Override
  public void queryAuditLog(QueryAuditLogRequest req, StreamObserver<QueryAuditLogResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getNamePrefix(), "");
      access.require(ctx.principal(), Operation.AUDIT, null);
      PageRequest page = Protos.page(req.getPage());
      AuditQuery.Cursor after = AuditCursor.decode(page.token());
      Instant from = req.hasStartTime() ? Protos.instant(req.getStartTime()) : null;
      Instant to = req.hasEndTime() ? Protos.instant(req.getEndTime()) : null;
      if (from != null && to != null && !from.isBefore(to)) {
        throw BrokerException.invalid("start_time", "must be before end_time");
      }
      List<AuditRecord> rows = audit.query(new AuditQuery(req.getPrincipal(), req.getNamePrefix(), req.getMethod(),
          req.getOutcome(), req.getRequestId(), from, to, after, page.size() + 1));
      boolean more = rows.size() > page.size();
      List<AuditRecord> items = more ? rows.subList(0, page.size()) : rows;
      QueryAuditLogResponse.Builder b = QueryAuditLogResponse.newBuilder();
      items.forEach(r -> b.addRecords(toProto(r)));
      if (more) {
        b.setNextPageToken(AuditCursor.encode(items.get(items.size() - 1)));
      }
      return b.build();
    });
  }

  static io.secretsbroker.proto.v1.AuditRecord toProto(AuditRecord r) {
    var e = r.entry();
    return io.secretsbroker.proto.v1.AuditRecord.newBuilder().setSequence(r.sequence()).setReplica(r.replica())
        .setKind(e.kind().name()).setAuthMethod(e.authMethod()).setTokenAccessor(e.tokenAccessor())
        .setTime(Protos.ts(e.time())).setRequestId(e.requestId()).setPrincipal(e.principal()).setPeer(e.peer())
        .setMethod(e.method()).setName(e.name()).setVersion(e.version()).setOutcome(e.outcome())
        .setCacheHit(e.cacheHit()).setLatency(Protos.duration(Duration.ofNanos(e.latencyMicros() * 1_000)))
        .setDetail(e.detail()).setMac(r.mac()).build();
  }



  @Override
  public void verifyAuditChain(VerifyAuditChainRequest req, StreamObserver<VerifyAuditChainResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current();
      access.require(ctx.principal(), Operation.AUDIT, null);
      if (req.getFromSequence() < 0 || req.getToSequence() < 0) {
        throw BrokerException.invalid("from_sequence", "sequences must not be negative");
      }
      List<ChainVerification> all = audit.verify(req.getFromSequence(), req.getToSequence());
      ChainVerification local = all.get(0);
      boolean ok = all.stream().allMatch(ChainVerification::ok);
      ChainVerification firstBad = all.stream().filter(v -> !v.ok()).findFirst().orElse(local);
      ctx.detail(ok ? "chain ok, " + local.recordsChecked() + " records" : "chain of " + firstBad.replica()
          + " broken at " + firstBad.firstBrokenSequence());
      VerifyAuditChainResponse.Builder b = VerifyAuditChainResponse.newBuilder().setOk(ok)
          .setRecordsChecked(local.recordsChecked()).setFirstBrokenSequence(firstBad.firstBrokenSequence())
          .setReason(ok ? "" : (firstBad == local ? "" : "replica " + firstBad.replica() + ": ") + firstBad.reason())
          .setReplica(local.replica()).setNewestCheckpointSequence(local.newestCheckpointSequence());
      if (local.newestCheckpointTime() != null) {
        b.setNewestCheckpointTime(Protos.ts(local.newestCheckpointTime()));
      }
      for (ChainVerification v : all) {
        b.addReplicas(ReplicaChain.newBuilder().setReplica(v.replica()).setOk(v.ok())
            .setRecordsChecked(v.recordsChecked()).setFirstBrokenSequence(v.firstBrokenSequence())
            .setReason(v.reason()).setSource(v.source()).setNewestCheckpointSequence(v.newestCheckpointSequence()));
      }
      return b.build();
    });
  }

  @Override
  public void accessSummary(AccessSummaryRequest req, StreamObserver<AccessSummaryResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getPrefix(), "");
      SecretNames.requireValidPrefix("prefix", req.getPrefix());
      access.require(ctx.principal(), Operation.AUDIT, null);
      Map<String, AccessStats> stats = audit.accessStats(req.getPrefix());
      AccessSummaryResponse.Builder b = AccessSummaryResponse.newBuilder();
      for (SecretAges.Age age : ages.under(req.getPrefix())) {
        AccessStats s = stats.get(age.name());
        SecretAccessSummary.Builder e = SecretAccessSummary.newBuilder().setName(age.name())
            .setAgeDays(age.ageDays()).setRotationDue(age.rotationDue());
        if (s != null) {
          e.setAccessCount(s.accessCount()).setDeniedCount(s.deniedCount()).setLastAccessor(s.lastAccessor());
          if (s.lastAccessed() != null) {
            e.setLastAccessed(Protos.ts(s.lastAccessed()));
          }
        }
        b.addSecrets(e);
      }
      return b.build();
    });
  }
}
