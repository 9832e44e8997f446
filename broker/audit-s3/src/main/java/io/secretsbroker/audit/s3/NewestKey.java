package io.secretsbroker.audit.s3;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * Finds the greatest sequence in a folder whose keys sort by sequence (a zero-padded number), with few list calls
 * even when the folder holds millions of keys: a list from the start, then galloping and bisecting with {@code
 * start-after}, each probe listing one page. Keys that are not sequences ({@code sequenceOf} below 0) are ignored.
 */
final class NewestKey {
  /** One page of keys, ascending, strictly after {@code startAfter} (null: from the first). */
  interface Lister {
    Page list(String startAfter, int maxKeys);
  }

  /** Keys of one page and whether more follow. */
  record Page(List<String> keys, boolean truncated) {}

  static final int PAGE = 1000;

  private final Lister lister;
  private final LongFunction<String> keyOf;
  private final ToLongFunction<String> sequenceOf;

  NewestKey(Lister lister, LongFunction<String> keyOf, ToLongFunction<String> sequenceOf) {
    this.lister = lister;
    this.keyOf = keyOf;
    this.sequenceOf = sequenceOf;
  }

  /** What one probe learnt: the last sequence on its page, and whether the page was the folder's end. */
  private record Probe(long last, boolean end) {}

  /** The greatest sequence in the folder, if any. */
  OptionalLong find() {
    Probe first = probe(-1);
    if (first.end) {
      return first.last < 0 ? OptionalLong.empty() : OptionalLong.of(first.last);
    }
    long lo = first.last; // a key with this sequence exists
    long step = PAGE;
    long hi;
    while (true) { // gallop until a probe sees the end
      long x = saturatedAdd(lo, step);
      Probe p = probe(x);
      if (p.end) {
        if (p.last >= 0) {
          return OptionalLong.of(p.last);
        }
        hi = x; // no key after x
        break;
      }
      lo = p.last;
      step = saturatedAdd(step, step);
    }
    while (true) { // bisect (lo, hi]: a key at lo, none after hi
      long x = hi - lo <= PAGE ? lo : lo + (hi - lo) / 2;
      Probe p = probe(x);
      if (p.end) {
        if (p.last >= 0) {
          return OptionalLong.of(p.last);
        }
        if (x == lo) {
          return OptionalLong.of(lo);
        }
        hi = x;
      } else {
        lo = p.last;
      }
    }
  }

  /** Lists the page after sequence {@code after} (-1: from the start), following pages of ignored keys. */
  private Probe probe(long after) {
    String startAfter = after < 0 ? null : keyOf.apply(after);
    long last = -1;
    while (true) {
      Page page = lister.list(startAfter, PAGE);
      for (String key : page.keys()) {
        long s = sequenceOf.applyAsLong(key);
        if (s > after && s > last) {
          last = s;
        }
      }
      if (!page.truncated() || page.keys().isEmpty()) {
        return new Probe(last, true);
      }
      if (last >= 0) {
        return new Probe(last, false);
      }
      startAfter = page.keys().get(page.keys().size() - 1);
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r;
  }
}
