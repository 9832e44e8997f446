package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.core.cache.CacheSettings;
import io.secretsbroker.core.cache.CachingBackend;
import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.InMemoryBackend;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One broker's worth of rotation parts over an in-memory backend (behind a {@link FlakyBackend} and the cache) and
 * a state database (H2 in a folder unless told otherwise). {@link #restart()} drops every part but the backend and
 * the database, as a crash and restart would.
 */
final class RotationFixture implements AutoCloseable {
  final FakeClock clock = new FakeClock();
  final InMemoryBackend memory = new InMemoryBackend(clock);
  final FlakyBackend backend = new FlakyBackend(memory);
  final MountTable mounts = new MountTable(List.of(new Mount("", "memory",
      new CachingBackend(backend, CacheSettings.defaults(), () -> clock.millis() * 1_000_000L, Runnable::run))));
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Supplier<StateSettings> database;
  private final List<RotationPolicies.PrefixPolicy> prefixes;
  private RotationSettings settings = RotationSettings.defaults();
  StateStore state;
  ChangeFeed changes;
  RotationPolicies policies;

  RotationFixture(Path dir) {
    this(dir, List.of());
  }

  RotationFixture(Path dir, List<RotationPolicies.PrefixPolicy> prefixes) {
    this(() -> StateSettings.h2(dir), prefixes);
  }

  /** A fixture on the state database {@code database} describes (e.g. a PostgreSQL schema). */
  RotationFixture(Supplier<StateSettings> database, List<RotationPolicies.PrefixPolicy> prefixes) {
    this.database = database;
    this.prefixes = prefixes;
    open();
  }

  private void open() {
    state = StateStore.open(database.get());
    changes = new ChangeFeed(state, clock);
    policies = new RotationPolicies(state, RotationPolicy.DEFAULT, prefixes);
  }

  /** Closes the state database and opens it again, with a new change feed and policies. */
  void restart() {
    state.close();
    open();
  }

  RotationFixture settings(RotationSettings s) {
    this.settings = s;
    return this;
  }

  RotationEngine engine() {
    return engine((step, name) -> {});
  }

  RotationEngine engine(RotationEngine.StepHook hook) {
    return new RotationEngine(mounts, policies, state, changes, registry, clock, settings, new SecureRandom(), hook);
  }

  String put(String name, String value) {
    return memory.write(WriteRequest.put(name, SecretValue.of(value.getBytes(UTF_8)))).version();
  }

  String read(String name, Stage stage) {
    return new String(memory.read(SecretRef.ofStage(name, stage)).value().bytes(), UTF_8);
  }

  SecretMetadata describe(String name) {
    return memory.describe(name);
  }

  Optional<String> versionWith(String name, Stage stage) {
    return describe(name).withStage(stage).map(VersionInfo::version);
  }

  long rotatedEvents(String name) {
    return changes.since(0, 1000).stream()
        .filter(e -> e.type() == ChangeEvent.Type.ROTATED && e.name().equals(name)).count();
  }

  double counter(String meter) {
    var c = registry.find(meter).counter();
    return c == null ? 0 : c.count();
  }

  void advance(Duration d) {
    clock.advance(d);
  }

  @Override
  public void close() {
    state.close();
  }
}
