package io.secretsbroker.core.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ForwardingBackend;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Caches reads of a backend in Caffeine, keyed by {@link SecretRef}. Entries expire after the TTL and are
 * refreshed in the background once {@link CacheSettings#refreshAhead()} of it has passed, so hot secrets never
 * stall on the backend. Every write, delete and stage move through this decorator invalidates every cached
 * entry of that name at once; {@link #invalidate(String)} does the same for changes made elsewhere (another
 * replica, a revocation). Failed reads are never cached. Thread-safe.
 */
public final class CachingBackend extends ForwardingBackend {

  /** A read and where it came from. */
  public record Lookup(SecretVersion version, boolean fromCache) {}

  private final CacheSettings settings;
  private final LoadingCache<SecretRef, SecretVersion> cache;

  /**
   * @param ticker the time source for expiry (a fake in tests)
   * @param executor where background refreshes run
   */
  public CachingBackend(SecretBackend delegate, CacheSettings settings, Ticker ticker, Executor executor) {
    super(delegate);
    this.settings = settings;
    if (settings.enabled()) {
      Caffeine<Object, Object> builder = Caffeine.newBuilder()
          .maximumSize(settings.maximumSize())
          .expireAfterWrite(settings.ttl())
          .ticker(ticker)
          .executor(executor);
      if (settings.refreshAhead() < 1.0) {
        long refreshNanos = (long) (settings.ttl().toNanos() * settings.refreshAhead());
        builder.refreshAfterWrite(Duration.ofNanos(Math.max(1, refreshNanos)));
      }
      this.cache = builder.build(delegate::read);
    } else {
      this.cache = null;
    }
  }

  /** The TTL a client may cache values of this mount for. */
  public Duration ttl() {
    return settings.ttl();
  }

  /** The wrapped backend. */
  @Override
  public SecretBackend delegate() {
    return super.delegate();
  }

  /**
   * Reads through the cache and says whether the value came from it.
   *
   * @throws BackendException as {@link SecretBackend#read}
   */
  public Lookup lookup(SecretRef ref) {
    if (cache == null) {
      return new Lookup(super.read(ref), false);
    }
    SecretVersion cached = cache.getIfPresent(ref);
    if (cached != null) {
      return new Lookup(cached, true);
    }
    try {
      return new Lookup(cache.get(ref), false);
    } catch (CompletionException e) {
      if (e.getCause() instanceof BackendException be) {
        throw be;
      }
      throw e;
    }
  }

  /** Whether a read of {@code ref} would be served from memory now (no backend call, no refresh wait). */
  public boolean cached(SecretRef ref) {
    return cache != null && cache.asMap().containsKey(ref);
  }

  /** Drops every cached entry of {@code name}. */
  public void invalidate(String name) {
    if (cache != null) {
      cache.asMap().keySet().removeIf(ref -> ref.name().equals(name));
    }
  }

  /** Drops every cached entry. */
  public void invalidateAll() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  /** The number of cached entries (approximate). */
  public long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    return lookup(ref).version();
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    try {
      return super.write(request);
    } finally {
      invalidate(request.name());
    }
  }

  @Override
  public void delete(String name) {
    try {
      super.delete(name);
    } finally {
      invalidate(name);
    }
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    try {
      super.moveStage(name, stage, version);
    } finally {
      invalidate(name);
    }
  }

  @Override
  public void clearStage(String name, Stage stage) {
    try {
      super.clearStage(name, stage);
    } finally {
      invalidate(name);
    }
  }

  @Override
  public void close() {
    invalidateAll();
    super.close();
  }
}
