package io.secretsbroker.audit.s3;

import io.secretsbroker.audit.ArchiveFiles;
import io.secretsbroker.audit.ArchiveStore;
import io.secretsbroker.audit.Checkpoint;
import io.secretsbroker.audit.JournalFormat;
import io.secretsbroker.audit.Replicas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An archive in S3: {@code <prefix>/<replica>/segments/<segment>} and {@code <prefix>/<replica>/segments/<segment>.checkpoint}.
 * A PutObject is atomic (the object is whole or absent). {@link #fetch} downloads into the given folder (0600).
 * Thread-safe; closing it closes its client.
 */
public final class S3Archive implements ArchiveStore {
  static final String FOLDER = "segments";

  private final S3Client client;
  private final S3Location location;

  /** An archive at {@code location} that uses (and on {@link #close} closes) {@code client}. */
  public S3Archive(S3Client client, S3Location location) {
    this.client = client;
    this.location = location;
  }

  private String key(String replica, String segmentName) {
    return location.folder(replica, FOLDER) + JournalFormat.requireSegmentName(segmentName);
  }

  @Override
  public void put(String replica, Path segment) throws IOException {
    String key = key(replica, segment.getFileName().toString());
    S3Calls.run(location, key, () -> client.putObject(b -> b.bucket(location.bucket()).key(key)
        .contentType("application/octet-stream"), RequestBody.fromFile(segment)));
  }

  @Override
  public void putCheckpoint(String replica, String segmentName, Checkpoint checkpoint) throws IOException {
    String key = key(replica, segmentName) + CHECKPOINT_SUFFIX;
    S3Calls.run(location, key, () -> client.putObject(b -> b.bucket(location.bucket()).key(key)
        .contentType("text/plain"), RequestBody.fromString(checkpoint.toLine() + "\n", StandardCharsets.US_ASCII)));
  }

  @Override
  public List<String> replicas() throws IOException {
    String root = location.root();
    List<String> out = new ArrayList<>();
    List<String> folders = S3Calls.run(location, root, () -> client.listObjectsV2Paginator(b -> b
        .bucket(location.bucket()).prefix(root).delimiter("/")).commonPrefixes().stream().map(CommonPrefix::prefix)
        .toList());
    for (String folder : folders) {
      String name = folder.substring(root.length(), folder.length() - 1);
      if (isReplica(name) && !segments(name).isEmpty()) {
        out.add(name);
      }
    }
    return out.stream().sorted().toList();
  }

  private static boolean isReplica(String name) {
    try {
      Replicas.requireValid(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public List<String> segments(String replica) throws IOException {
    String folder = location.folder(replica, FOLDER);
    return S3Calls.run(location, folder, () -> client.listObjectsV2Paginator(b -> b.bucket(location.bucket())
        .prefix(folder)).contents().stream().map(S3Object::key).map(k -> k.substring(folder.length()))
        .filter(JournalFormat::isSegmentName).sorted().toList());
  }

  @Override
  public Optional<Checkpoint> checkpoint(String replica, String segmentName) throws IOException {
    String key = key(replica, segmentName) + CHECKPOINT_SUFFIX;
    String line;
    try {
      line = S3Calls.run(location, key, () -> client.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key))
          .asString(StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Checkpoint c = Checkpoint.parseLine(replica, line);
    if (c == null) {
      throw new IOException("the archived checkpoint s3://" + location.bucket() + "/" + key
          + " is not a checkpoint line");
    }
    return Optional.of(c);
  }

  /** Downloads the segment into {@code intoDir} (created 0700 if needed), as a 0600 file of the segment's name. */
  @Override
  public Path fetch(String replica, String segmentName, Path intoDir) throws IOException {
    String key = key(replica, segmentName);
    return S3Calls.run(location, key, () -> {
      try (InputStream in = client.getObject(b -> b.bucket(location.bucket()).key(key))) {
        return ArchiveFiles.writeAtomically(intoDir, segmentName, in);
      }
    });
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
