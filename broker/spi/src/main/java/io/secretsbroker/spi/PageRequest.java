package io.secretsbroker.spi;

/**
 * Which page of a listing to return.
 *
 * @param size the maximum number of items, 1 to {@value #MAX_SIZE}
 * @param token the previous page's {@link Page#nextPageToken()}, or the empty string for the first page
 */
public record PageRequest(int size, String token) {
  /** The page size used when a caller asks for none. */
  public static final int DEFAULT_SIZE = 100;
  /** The largest page a caller may ask for. */
  public static final int MAX_SIZE = 1000;

  public PageRequest {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("page size must be between 1 and " + MAX_SIZE + ", was " + size);
    }
    token = token == null ? "" : token;
  }

  /** The first page of {@code size} items. */
  public static PageRequest first(int size) {
    return new PageRequest(size, "");
  }
}
