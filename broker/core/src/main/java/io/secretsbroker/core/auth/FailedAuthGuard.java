package io.secretsbroker.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Protection before authentication: counts failed authentications per peer address in fixed windows. A peer past
 * {@code limit} failures in a window is refused at once until the window ends — before any database lookup or
 * audit work — and each peer's failures are reported as one aggregated {@link Window} per window (count, first and
 * last time), not one audit record per attempt. Thread-safe; time is injected.
 */
public final class FailedAuthGuard {
  /** Default failures per window per peer. */
  public static final int DEFAULT_LIMIT = 20;
  /** Default window. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  private static final int MAX_PEERS = 100_000;

  /**
   * One peer's failures in one window.
   *
   * @param peer the peer address (host, without port)
   * @param failures failed authentications counted
   * @param refused attempts refused without a check because the peer was over the limit
   * @param first the first failure's time
   * @param last the last failure's time
   */
  public record Window(String peer, long failures, long refused, Instant first, Instant last) {}

  private static final class Counter {
    final long startNanos;
    long failures;
    long refused;
    Instant first;
    Instant last;

    Counter(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final int limit;
  private final long windowNanos;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Map<String, Counter> peers = new ConcurrentHashMap<>();

  /**
   * @param limit failures a peer may have in one window before it is refused
   * @param window the window
   */
  public FailedAuthGuard(int limit, Duration window, Clock clock, LongSupplier nanoTime) {
    if (limit < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("limit must be at least 1 and window positive");
    }
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** The host part of a peer address such as {@code /127.0.0.1:5312} or {@code /[::1]:5312}. */
  public static String host(String peer) {
    String p = peer.startsWith("/") ? peer.substring(1) : peer;
    int colon = p.lastIndexOf(':');
    if (colon > 0 && p.indexOf(']') < colon) {
      p = p.substring(0, colon);
    }
    return p;
  }

  /**
   * Whether a peer is over its limit now; if so the attempt is counted as refused.
   */
  public boolean refuse(String peer) {
    Counter c = peers.get(peer);
    if (c == null) {
      return false;
    }
    synchronized (c) {
      if (nanoTime.getAsLong() - c.startNanos >= windowNanos || c.failures < limit) {
        return false;
      }
      c.refused++;
      return true;
    }
  }

  /**
   * Counts a failed authentication of {@code peer}.
   *
   * @return the peer's finished window, when this failure started a new one (to be reported); null otherwise
   */
  public Window failed(String peer) {
    long now = nanoTime.getAsLong();
    Instant t = clock.instant();
    Window finished = null;
    while (true) {
      if (peers.size() >= MAX_PEERS && !peers.containsKey(peer)) {
        finished = null; // a flood of distinct addresses: keep the table bounded, drain() reports the rest
        drainOld(now);
      }
      Counter c = peers.computeIfAbsent(peer, k -> new Counter(now));
      synchronized (c) {
        if (peers.get(peer) != c) {
          continue; // replaced meanwhile
        }
        if (now - c.startNanos >= windowNanos) {
          finished = windowOf(peer, c);
          peers.remove(peer, c);
          continue;
        }
        if (c.failures == 0) {
          c.first = t;
        }
        c.failures++;
        c.last = t;
        return finished;
      }
    }
  }

  /** Removes and returns every window that has ended (call periodically to report them). */
  public List<Window> drain() {
    return drainOld(nanoTime.getAsLong());
  }

  private List<Window> drainOld(long now) {
    List<Window> out = new ArrayList<>();
    for (Map.Entry<String, Counter> e : peers.entrySet()) {
      Counter c = e.getValue();
      synchronized (c) {
        if (now - c.startNanos >= windowNanos && peers.remove(e.getKey(), c)) {
          Window w = windowOf(e.getKey(), c);
          if (w != null) {
            out.add(w);
          }
        }
      }
    }
    return out;
  }

  private static Window windowOf(String peer, Counter c) {
    return c.failures == 0 && c.refused == 0 ? null : new Window(peer, c.failures, c.refused, c.first, c.last);
  }
}
