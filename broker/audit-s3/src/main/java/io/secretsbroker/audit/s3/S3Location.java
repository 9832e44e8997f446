package io.secretsbroker.audit.s3;

import io.secretsbroker.audit.Replicas;
import java.util.regex.Pattern;

/**
 * A place in a bucket, {@code s3://bucket/prefix}: the bucket and a key prefix without slashes at either end (""
 * for the bucket's root).
 *
 * @param bucket the bucket name
 * @param prefix the key prefix, "" or {@code a/b}
 */
public record S3Location(String bucket, String prefix) {
  /** The scheme of a location. */
  public static final String SCHEME = "s3://";
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]*");

  public S3Location {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("expected a bucket name of 3-63 characters a-z 0-9 . -, got '" + bucket + "'");
    }
    if (prefix == null || !PREFIX.matcher(prefix).matches() || prefix.startsWith("/") || prefix.endsWith("/")
        || prefix.contains("//") || prefix.length() > 512) {
      throw new IllegalArgumentException("expected a key prefix of A-Z a-z 0-9 ! _ . * ' ( ) - separated by single"
          + " slashes, got '" + prefix + "'");
    }
  }

  /** Whether {@code location} names an S3 place (rather than a directory). */
  public static boolean isS3(String location) {
    return location != null && location.startsWith(SCHEME);
  }

  /**
   * Parses {@code s3://bucket} or {@code s3://bucket/prefix} (a trailing slash is dropped).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static S3Location parse(String location) {
    if (!isS3(location)) {
      throw new IllegalArgumentException("expected s3://bucket/prefix, got '" + location + "'");
    }
    String rest = location.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return new S3Location(bucket, prefix);
  }

  /** The folder (ending in '/') of {@code replica}'s objects of one kind, e.g. {@code prefix/r1/segments/}. */
  String folder(String replica, String kind) {
    return root() + Replicas.requireValid(replica) + "/" + kind + "/";
  }

  /** The key prefix under which each replica has its folder: "" or {@code prefix/}. */
  String root() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }
}
