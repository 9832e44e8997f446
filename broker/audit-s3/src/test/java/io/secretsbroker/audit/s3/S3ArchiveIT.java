package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.ArchiveStoreContract;
import io.secretsbroker.audit.JournalFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The archive contract on S3 (moto), and the S3 object layout. */
class S3ArchiveIT extends ArchiveStoreContract {
  private static MotoS3 s3;

  @BeforeAll
  static void startMoto() throws Exception {
    s3 = MotoS3.start();
  }

  @AfterAll
  static void stopMoto() {
    s3.close();
  }

  @Override
  protected ArchiveStore newStore() {
    return new S3Archive(s3.client(), s3.newBucket("audit/archive"));
  }

  @Test
  void layout_isPrefixReplicaSegments() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);
    List<Path> local = JournalFixture.write(tmp.resolve("journal"), "r1", 10, clock, null);
    S3Location at = s3.newBucket("audit");
    String name = local.get(0).getFileName().toString();
    try (S3Archive archive = new S3Archive(s3.client(), at); S3Client client = s3.client()) {
      archive.put("r1", local.get(0));
      archive.putCheckpoint("r1", name, lastCheckpointOf(local.get(0)));

      assertThat(client.listObjectsV2(b -> b.bucket(at.bucket())).contents()).extracting(S3Object::key)
          .containsExactlyInAnyOrder("audit/r1/segments/" + name, "audit/r1/segments/" + name + ".checkpoint");
    }
  }
}
