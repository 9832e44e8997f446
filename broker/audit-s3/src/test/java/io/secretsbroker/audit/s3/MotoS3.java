package io.secretsbroker.audit.s3;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** S3 on moto for one test class: clients with dummy credentials, and a fresh bucket per test. */
final class MotoS3 implements AutoCloseable {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private final MotoServer moto;

  private MotoS3(MotoServer moto) {
    this.moto = moto;
  }

  static MotoS3 start() throws Exception {
    return new MotoS3(MotoServer.start());
  }

  /** A client for moto (its caller closes it). */
  S3Client client() {
    return S3Stores.client(Region.US_EAST_1, Optional.of(URI.create(moto.url())),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
  }

  /** A new bucket; returns its location with {@code prefix}. */
  S3Location newBucket(String prefix) {
    String bucket = "audit-" + BUCKETS.incrementAndGet();
    try (S3Client c = client()) {
      c.createBucket(b -> b.bucket(bucket));
    }
    return new S3Location(bucket, prefix);
  }

  String endpoint() {
    return moto.url();
  }

  @Override
  public void close() {
    moto.close();
  }
}
