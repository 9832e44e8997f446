package io.secretsbroker.audit;

import java.util.regex.Pattern;

/** Replica ids: {@code [A-Za-z0-9._-]{1,64}}, safe in file names and object keys. */
public final class Replicas {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Replicas() {}

  /**
   * Returns {@code replica} when it is a valid id.
   *
   * @throws IllegalArgumentException naming the rule otherwise
   */
  public static String requireValid(String replica) {
    if (replica == null || !VALID.matcher(replica).matches() || replica.equals(".") || replica.equals("..")) {
      throw new IllegalArgumentException("a replica id is 1-64 characters of [A-Za-z0-9._-], got '" + replica + "'");
    }
    return replica;
  }
}
