package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.audit.Anchor;
import io.secretsbroker.audit.AnchorContract;
import io.secretsbroker.audit.AuditKey;
import io.secretsbroker.audit.Checkpoint;
import io.secretsbroker.audit.JournalFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The anchor contract on S3 (moto), and the S3 object layout. */
class S3AnchorIT extends AnchorContract {
  private static MotoS3 s3;
  private final List<S3Anchor> opened = new ArrayList<>();

  @BeforeAll
  static void startMoto() throws Exception {
    s3 = MotoS3.start();
  }

  @AfterAll
  static void stopMoto() {
    s3.close();
  }

  @AfterEach
  void closeAnchors() {
    opened.forEach(S3Anchor::close);
  }

  @Override
  protected Anchor newAnchor() {
    S3Anchor a = new S3Anchor(s3.client(), s3.newBucket("audit/anchor"));
    opened.add(a);
    return a;
  }

  @Test
  void eachCheckpoint_isOneObject_namedByReplicaAndSequence_holdingItsLine() throws Exception {
    S3Location at = s3.newBucket("team/audit");
    Checkpoint c = Checkpoint.sign(JournalFixture.key(), "r1", 42, new byte[AuditKey.BYTES],
        Instant.parse("2026-03-01T00:00:00Z"));
    try (S3Anchor anchor = new S3Anchor(s3.client(), at); S3Client client = s3.client()) {
      anchor.publish(c);

      String key = "team/audit/r1/checkpoints/00000000000000000042.cp";
      assertThat(client.getObjectAsBytes(b -> b.bucket(at.bucket()).key(key)).asString(StandardCharsets.US_ASCII))
          .isEqualTo(c.toLine() + "\n");
      assertThat(anchor.describe()).isEqualTo("s3://" + at.bucket() + "/team/audit");
    }
  }

  @Test
  void latest_findsTheNewest_amongMoreThanOnePageOfCheckpoints_andIgnoresStrayKeys() throws Exception {
    S3Location at = s3.newBucket("");
    try (S3Anchor anchor = new S3Anchor(s3.client(), at); S3Client client = s3.client()) {
      for (long s = 1; s <= 1_010; s++) { // more than one page of 1000
        anchor.publish(Checkpoint.sign(JournalFixture.key(), "r1", s * 3, new byte[AuditKey.BYTES],
            Instant.ofEpochMilli(s)));
      }
      client.putObject(b -> b.bucket(at.bucket()).key("r1/checkpoints/zzz-notes.txt"), RequestBody.fromString("x"));

      assertThat(anchor.latest("r1")).map(Checkpoint::sequence).contains(3_030L);
    }
  }

  @Test
  void aDamagedNewestObject_isAnIOException_namingIt() throws Exception {
    S3Location at = s3.newBucket("p");
    try (S3Anchor anchor = new S3Anchor(s3.client(), at); S3Client client = s3.client()) {
      client.putObject(b -> b.bucket(at.bucket()).key("p/r1/checkpoints/00000000000000000007.cp"),
          RequestBody.fromString("garbage"));

      assertThatThrownBy(() -> anchor.latest("r1")).isInstanceOf(IOException.class)
          .hasMessageContaining("00000000000000000007.cp");
    }
  }

  @Test
  void anUnreachableBucket_isAnIOException_notAnUncheckedSdkError() {
    try (S3Anchor anchor = new S3Anchor(s3.client(), new S3Location("no-such-bucket", ""))) {
      assertThatThrownBy(() -> anchor.latest("r1")).isInstanceOf(IOException.class)
          .hasMessageContaining("no-such-bucket");
    }
  }
}
