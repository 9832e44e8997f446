package io.secretsbroker.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Turns a paged listing call into a lazy stream that fetches the next page only when it is reached. */
final class Pager {
  private Pager() {}

  /**
   * A stream over every item of every page.
   *
   * @param fetch calls the server with a page token ({@code ""} for the first page)
   * @param items the items of a response
   * @param nextToken the next page token of a response, {@code ""} on the last page
   */
  static <R, T> Stream<T> stream(Function<String, R> fetch, Function<R, List<T>> items, Function<R, String> nextToken) {
    Iterator<T> iterator = new Iterator<>() {
      private Iterator<T> page = Collections.emptyIterator();
      private String token = "";
      private boolean last;

      @Override
      public boolean hasNext() {
        while (!page.hasNext() && !last) {
          R response = fetch.apply(token);
          page = items.apply(response).iterator();
          String next = nextToken.apply(response);
          if (!next.isEmpty() && next.equals(token)) {
            throw new SecretsBrokerException(ErrorCode.INTERNAL, "the server returned the same page token twice");
          }
          token = next;
          last = next.isEmpty();
        }
        return page.hasNext();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.next();
      }
    };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }
}
