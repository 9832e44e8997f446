package io.secretsbroker.core.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.secretsbroker.audit.AuditJournal;
import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.audit.Checkpoint;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's meters and log lines: records and batches written, fsync time, failures (one log line per minute
 * at most, naming the cause's class, never a message that could quote data), anchor health.
 */
final class AuditMetrics implements AuditJournal.Listener {
  private static final Logger log = LoggerFactory.getLogger(AuditMetrics.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  private final Counter written;
  private final Counter failures;
  private final Counter anchorFailures;
  private final DistributionSummary batchSizes;
  private final Timer writeTime;
  private final AtomicLong healthy = new AtomicLong(1);
  private final AtomicLong lastAnchored = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private volatile Consumer<List<AuditRecord>> onDurable = r -> {};

  AuditMetrics(MeterRegistry registry) {
    written = Counter.builder("secrets.audit.records.written").description("Audit records made durable")
        .register(registry);
    failures = Counter.builder("secrets.audit.write.failures")
        .description("Audit records that could not be made durable (their requests failed)").register(registry);
    anchorFailures = Counter.builder("secrets.audit.anchor.failures")
        .description("Checkpoints that could not be published to the anchor").register(registry);
    batchSizes = DistributionSummary.builder("secrets.audit.batch.size").description("Records per group commit")
        .register(registry);
    writeTime = Timer.builder("secrets.audit.write.seconds").description("Write and fsync time of one group commit")
        .register(registry);
    Gauge.builder("secrets.audit.journal.healthy", healthy, AtomicLong::get)
        .description("1 while audit records are being made durable, 0 while writes fail (requests are refused)")
        .register(registry);
    Gauge.builder("secrets.audit.anchor.last.sequence", lastAnchored, AtomicLong::get)
        .description("Newest sequence anchored outside the journal").register(registry);
  }

  void onDurable(Consumer<List<AuditRecord>> c) {
    this.onDurable = c;
  }

  @Override
  public void durable(List<AuditRecord> records, long writeNanos) {
    written.increment(records.size());
    batchSizes.record(records.size());
    writeTime.record(writeNanos, TimeUnit.NANOSECONDS);
    onDurable.accept(records);
  }

  @Override
  public void writeFailed(IOException cause, int records) {
    healthy.set(0);
    failures.increment(records);
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
      log.error("AUDIT JOURNAL CANNOT WRITE ({}{}): requests are refused with UNAVAILABLE until writes succeed"
          + " again; free space in the audit directory or fix the volume (runbook: 'audit disk full')",
          cause.getClass().getSimpleName(), isDiskFull(cause) ? ", disk full" : "");
    }
  }

  private static boolean isDiskFull(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("No space left");
  }

  @Override
  public void recovered() {
    healthy.set(1);
    log.warn("audit journal writes succeed again; requests are served");
  }

  @Override
  public void anchored(Checkpoint checkpoint) {
    lastAnchored.set(checkpoint.sequence());
  }

  @Override
  public void anchorFailed(Checkpoint checkpoint, Exception cause) {
    anchorFailures.increment();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
      log.warn("audit checkpoint {} could not be anchored ({}); the journal holds it, the anchor is behind",
          checkpoint.sequence(), cause.getClass().getSimpleName());
    }
  }
}
