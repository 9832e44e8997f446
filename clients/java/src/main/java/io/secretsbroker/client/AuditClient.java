package io.secretsbroker.client;

import io.grpc.Channel;
import io.secretsbroker.client.Invoker.Retry;
import io.secretsbroker.proto.v1.AccessSummaryRequest;
import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.AuditServiceGrpc;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.QueryAuditLogResponse;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.VerifyAuditChainRequest;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The broker's AuditService, with the client's token, deadline and retries. Obtained from {@link
 * SecretsClient#audit()}; thread-safe. Needs the {@code audit} capability on {@code sys/audit}.
 */
public final class AuditClient {
  private final AuditServiceGrpc.AuditServiceBlockingStub stub;
  private final Invoker invoker;

  AuditClient(Channel channel, BearerToken token, Invoker invoker) {
    this.stub = BearerToken.attach(AuditServiceGrpc.newBlockingStub(channel), token);
    this.invoker = invoker;
  }

  /**
   * Audit records matching {@code filters}, newest first; lazy. The page size of {@code filters.getPage()} is
   * kept, its page token is replaced as pages are fetched. Limit the stream to stop fetching.
   */
  public Stream<AuditRecord> query(QueryAuditLogRequest filters) {
    Objects.requireNonNull(filters, "filters");
    return Pager.stream(
        token -> invoker.call(stub, Retry.IDEMPOTENT, s -> s.queryAuditLog(filters.toBuilder()
            .setPage(filters.getPage().toBuilder().setPageToken(token)).build())),
        QueryAuditLogResponse::getRecordsList,
        QueryAuditLogResponse::getNextPageToken);
  }

  /** Verifies the whole hash chain. */
  public VerifyAuditChainResponse verify() {
    return verify(0, 0);
  }

  /** Verifies the hash chain from sequence {@code from} (1 when 0) to {@code to} (the newest when 0). */
  public VerifyAuditChainResponse verify(long from, long to) {
    VerifyAuditChainRequest request =
        VerifyAuditChainRequest.newBuilder().setFromSequence(from).setToSequence(to).build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.verifyAuditChain(request));
  }

  /** Per-secret access report for secrets whose names start with {@code prefix}, in name order. */
  public List<SecretAccessSummary> summary(String prefix) {
    AccessSummaryRequest request =
        AccessSummaryRequest.newBuilder().setPrefix(Objects.requireNonNull(prefix, "prefix")).build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.accessSummary(request)).getSecretsList();
  }
}
