package io.secretsbroker.spi;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the items, in the listing's order
 * @param nextPageToken the token for the next page, or the empty string on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
  public Page {
    items = List.copyOf(items);
    nextPageToken = nextPageToken == null ? "" : nextPageToken;
  }

  /** Whether there is a next page. */
  public boolean hasNext() {
    return !nextPageToken.isEmpty();
  }
}
