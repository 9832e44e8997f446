package io.secretsbroker.core.backend;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Times every backend call ({@code secrets_backend_call_seconds{backend,mount,operation,outcome}}) and
 * exposes the backend's health ({@code secrets_backend_up{backend,mount}}).
 */
public final class MeteredBackend implements SecretBackend {
  private final SecretBackend delegate;
  private final MeterRegistry registry;
  private final String mount;

  public MeteredBackend(SecretBackend delegate, String mount, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
    this.mount = mount;
    registry.gauge("secrets.backend.up",
        io.micrometer.core.instrument.Tags.of("backend", delegate.kind(), "mount", mount),
        delegate, b -> b.healthy() ? 1 : 0);
  }

  /** Timers by "operation/outcome", registered once: a backend call looks its timer up without a builder. */
  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Timer timer(String operation, String outcome) {
    return Timer.builder("secrets.backend.call")
        .description("Time spent in backend calls")
        .tags("backend", delegate.kind(), "mount", mount, "operation", operation, "outcome", outcome)
        .register(registry);
  }

  private <T> T timed(String operation, Supplier<T> op) {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      return op.get();
    } catch (RuntimeException e) {
      outcome = e instanceof io.secretsbroker.spi.BackendException be ? be.code().name().toLowerCase() : "error";
      throw e;
    } finally {
      timers.computeIfAbsent(operation + '/' + outcome, k -> timer(operation, k.substring(operation.length() + 1)))
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public String kind() {
    return delegate.kind();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    return timed("read", () -> delegate.read(ref));
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    return timed("write", () -> delegate.write(request));
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    return timed("list", () -> delegate.list(prefix, page));
  }

  @Override
  public SecretMetadata describe(String name) {
    return timed("describe", () -> delegate.describe(name));
  }

  @Override
  public void delete(String name) {
    timed("delete", () -> {
      delegate.delete(name);
      return null;
    });
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    timed("move_stage", () -> {
      delegate.moveStage(name, stage, version);
      return null;
    });
  }

  @Override
  public void clearStage(String name, Stage stage) {
    timed("clear_stage", () -> {
      delegate.clearStage(name, stage);
      return null;
    });
  }

  @Override
  public boolean healthy() {
    return delegate.healthy();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
