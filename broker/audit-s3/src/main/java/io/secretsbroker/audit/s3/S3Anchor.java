package io.secretsbroker.audit.s3;

import io.secretsbroker.audit.Anchor;
import io.secretsbroker.audit.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Anchors checkpoints in S3: one object per checkpoint, {@code <prefix>/<replica>/checkpoints/<20-digit
 * sequence>.cp}, holding the checkpoint's line ({@link Checkpoint#toLine()}). Objects are only ever added, so a
 * bucket with versioning or Object Lock keeps them out of reach of the daemon's own credentials. {@link #latest}
 * finds the newest key in a few list calls however many there are. Thread-safe; closing it closes its client.
 */
public final class S3Anchor implements Anchor, AutoCloseable {
  static final String FOLDER = "checkpoints";
  static final String SUFFIX = ".cp";

  private final S3Client client;
  private final S3Location location;

  /** An anchor at {@code location} that uses (and on {@link #close} closes) {@code client}. */
  public S3Anchor(S3Client client, S3Location location) {
    this.client = client;
    this.location = location;
  }

  String key(String replica, long sequence) {
    return location.folder(replica, FOLDER) + String.format("%020d", sequence) + SUFFIX;
  }

  @Override
  public void publish(Checkpoint c) throws IOException {
    String key = key(c.replica(), c.sequence());
    S3Calls.run(location, key, () -> client.putObject(b -> b.bucket(location.bucket()).key(key)
        .contentType("text/plain"), RequestBody.fromString(c.toLine() + "\n", StandardCharsets.US_ASCII)));
  }

  @Override
  public Optional<Checkpoint> latest(String replica) throws IOException {
    String folder = location.folder(replica, FOLDER);
    OptionalLong newest = S3Calls.run(location, folder, () -> new NewestKey((startAfter, max) -> {
      ListObjectsV2Response r = client.listObjectsV2(b -> b.bucket(location.bucket()).prefix(folder)
          .startAfter(startAfter).maxKeys(max));
      List<String> keys = r.contents().stream().map(S3Object::key).toList();
      return new NewestKey.Page(keys, Boolean.TRUE.equals(r.isTruncated()));
    }, s -> key(replica, s), k -> sequenceOf(folder, k)).find());
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    String key = key(replica, newest.getAsLong());
    String line = S3Calls.run(location, key, () -> client.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key))
        .asString(StandardCharsets.US_ASCII));
    Checkpoint c = Checkpoint.parseLine(replica, line);
    if (c == null || c.sequence() != newest.getAsLong()) {
      throw new IOException("the anchored checkpoint " + location.bucket() + "/" + key + " is not a checkpoint line");
    }
    return Optional.of(c);
  }

  /** The sequence a checkpoint key names, or -1. */
  static long sequenceOf(String folder, String key) {
    if (!key.startsWith(folder) || !key.endsWith(SUFFIX) || key.length() != folder.length() + 20 + SUFFIX.length()) {
      return -1;
    }
    String digits = key.substring(folder.length(), folder.length() + 20);
    try {
      return digits.chars().allMatch(ch -> ch >= '0' && ch <= '9') ? Long.parseLong(digits) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String describe() {
    return location.toString();
  }

  @Override
  public void close() {
    client.close();
  }
}
