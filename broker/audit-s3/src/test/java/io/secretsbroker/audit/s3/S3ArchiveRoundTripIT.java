package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.audit.ArchiveVerifier;
import io.secretsbroker.audit.AuditVerifier;
import io.secretsbroker.audit.JournalFixture;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.JournalReader;
import io.secretsbroker.audit.SegmentIo;
import io.secretsbroker.core.audit.AuditArchiver;
import io.secretsbroker.core.audit.AuditLog;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.testkit.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's archiver writing to S3 (moto) with an S3 anchor, then the archive verified offline from S3 alone, as
 * {@code sbctl audit verify --archive s3://...} does.
 */
class S3ArchiveRoundTripIT {
  private static MotoS3 s3;

  @TempDir
  Path dir;

  @BeforeAll
  static void startMoto() throws Exception {
    s3 = MotoS3.start();
    // what sbctl's S3 client finds through the SDK's default credentials chain
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
  }

  @AfterAll
  static void stopMoto() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  @Test
  void archivedToS3_thenVerifiedOfflineFromS3() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    S3Location at = s3.newBucket("prod/audit");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long lastArchived;
    try (StateStore state = StateStore.open(StateSettings.h2(dir.resolve("state")));
        S3Anchor anchor = new S3Anchor(s3.client(), at);
        S3Archive archive = new S3Archive(s3.client(), at)) {
      AuditLog audit = AuditLog.open(state, registry, JournalFixture.settings(dir.resolve("audit"), "r1"),
          JournalFixture.key(), anchor, clock, SegmentIo.files(), Duration.ofSeconds(5));
      try {
        for (int i = 0; i < 100; i++) {
          audit.append(JournalFixture.entry(clock.instant(), i));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (audit.indexedSequence() < 100 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(5_000_000L);
        }
        clock.advance(Duration.ofDays(401));

        int removed = new AuditArchiver(audit, Optional.of(archive), Duration.ofDays(400), clock, registry)
            .runOnce();

        assertThat(removed).isGreaterThanOrEqualTo(3);
        lastArchived = JournalFormat.firstSequenceOf(JournalReader.segments(dir.resolve("audit")).get(0)
            .getFileName().toString()) - 1;
        assertThat(archive.segments("r1")).hasSize(removed);
        assertThat(anchor.latest("r1")).isPresent();
      } finally {
        audit.close();
      }
    }

    Path work = Files.createDirectories(dir.resolve("work"));
    try (S3Archive fresh = S3Stores.archive(at.toString(), Map.of(S3Stores.ENDPOINT_ENV, s3.endpoint(),
        S3Stores.REGION_ENV, "us-east-1"))) {
      AuditVerifier.Result r = ArchiveVerifier.verify(fresh, "r1", JournalFixture.key(), work);

      assertThat(r.ok()).as(r.reason()).isTrue();
      assertThat(r.firstSequence()).isEqualTo(1);
      assertThat(r.lastSequence()).isEqualTo(lastArchived);
      assertThat(fresh.replicas()).containsExactly("r1");
    }
  }
}
