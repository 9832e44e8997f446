package io.secretsbroker.testkit;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend in memory, for tests of the layers above the SPI. Passes {@link SecretBackendContract}. Can be told
 * to fail ({@link #failWith}) to simulate an outage, and counts reads. Thread-safe (one lock).
 */
public final class InMemoryBackend implements SecretBackend {
  private record Version(String id, byte[] value, java.time.Instant created, EnumSet<Stage> stages) {}

  private record Secret(List<Version> versions, java.time.Instant created, int[] next) {}

  private final TreeMap<String, Secret> secrets = new TreeMap<>();
  private final Clock clock;
  private final int maxValueBytes;
  private final AtomicInteger reads = new AtomicInteger();
  private volatile ErrorCode failure;
  private final AtomicBoolean closed = new AtomicBoolean();

  public InMemoryBackend(Clock clock) {
    this(clock, 64 * 1024);
  }

  public InMemoryBackend(Clock clock, int maxValueBytes) {
    this.clock = clock;
    this.maxValueBytes = maxValueBytes;
  }

  /** Makes every call fail with {@code code} (null to recover). */
  public void failWith(ErrorCode code) {
    this.failure = code;
  }

  /** How many reads reached this backend. */
  public int reads() {
    return reads.get();
  }

  /** Whether {@link #close()} was called. */
  public boolean closed() {
    return closed.get();
  }

  private void check() {
    ErrorCode f = failure;
    if (f != null) {
      throw new BackendException(f, "in-memory backend set to fail with " + f);
    }
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.VERSIONING, Capability.STAGE_LABELS, Capability.ATOMIC_CHECK_AND_SET);
  }

  @Override
  public synchronized SecretVersion read(SecretRef ref) {
    check();
    reads.incrementAndGet();
    Secret s = secrets.get(ref.name());
    if (s == null) {
      throw BackendException.notFound(ref.name());
    }
    for (Version v : s.versions()) {
      boolean match = ref.version() != null ? v.id().equals(ref.version()) : v.stages().contains(ref.stage());
      if (match) {
        return new SecretVersion(ref.name(), info(v), SecretValue.of(v.value()));
      }
    }
    throw BackendException.notFound(ref);
  }

  private static VersionInfo info(Version v) {
    return new VersionInfo(v.id(), v.stages(), v.created());
  }

  @Override
  public synchronized VersionInfo write(WriteRequest request) {
    check();
    if (request.value().size() > maxValueBytes) {
      throw BackendException.invalid("value must be at most " + maxValueBytes + " bytes");
    }
    Secret s = secrets.get(request.name());
    String current = s == null ? null
        : s.versions().stream().filter(v -> v.stages().contains(Stage.CURRENT)).map(Version::id).findFirst()
            .orElse(null);
    BackendException.checkExpectedCurrent(request, current);
    if (s == null) {
      s = new Secret(new ArrayList<>(), clock.instant(), new int[] {1});
      secrets.put(request.name(), s);
    }
    String id = Integer.toString(s.next()[0]++);
    Version v = new Version(id, request.value().bytes(), clock.instant(), EnumSet.noneOf(Stage.class));
    s.versions().add(v);
    if (request.stage() == Stage.CURRENT) {
      move(s, Stage.CURRENT, v);
    } else {
      move(s, Stage.PENDING, v);
    }
    return info(v);
  }

  private static void move(Secret s, Stage stage, Version target) {
    if (stage == Stage.CURRENT) {
      Version old = s.versions().stream().filter(x -> x.stages().contains(Stage.CURRENT)).findFirst().orElse(null);
      if (old == target) {
        return;
      }
      s.versions().forEach(x -> x.stages().remove(Stage.PREVIOUS));
      if (old != null) {
        old.stages().remove(Stage.CURRENT);
        old.stages().add(Stage.PREVIOUS);
      }
      target.stages().remove(Stage.PENDING);
      target.stages().remove(Stage.PREVIOUS);
    } else {
      s.versions().forEach(x -> x.stages().remove(stage));
    }
    target.stages().add(stage);
  }

  @Override
  public synchronized Page<SecretSummary> list(String prefix, PageRequest page) {
    check();
    String after = page.token();
    List<SecretSummary> out = new ArrayList<>();
    String last = null;
    for (Map.Entry<String, Secret> e : secrets.tailMap(after.isEmpty() ? prefix : after, after.isEmpty())
        .entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      if (out.size() == page.size()) {
        return new Page<>(out, last);
      }
      Secret s = e.getValue();
      String current = s.versions().stream().filter(v -> v.stages().contains(Stage.CURRENT)).map(Version::id)
          .findFirst().orElse(null);
      out.add(new SecretSummary(e.getKey(), current, s.created(), s.versions().get(s.versions().size() - 1).created()));
      last = e.getKey();
    }
    return new Page<>(out, "");
  }

  @Override
  public synchronized SecretMetadata describe(String name) {
    check();
    Secret s = secrets.get(name);
    if (s == null) {
      throw BackendException.notFound(name);
    }
    return new SecretMetadata(name, s.versions().stream().map(InMemoryBackend::info).toList(), s.created(),
        s.versions().get(s.versions().size() - 1).created());
  }

  @Override
  public synchronized void delete(String name) {
    check();
    if (secrets.remove(name) == null) {
      throw BackendException.notFound(name);
    }
  }

  @Override
  public synchronized void moveStage(String name, Stage stage, String version) {
    check();
    Secret s = secrets.get(name);
    if (s == null) {
      throw BackendException.notFound(name);
    }
    Version target = s.versions().stream().filter(v -> v.id().equals(version)).findFirst()
        .orElseThrow(() -> BackendException.notFound(SecretRef.ofVersion(name, version)));
    move(s, stage, target);
  }

  @Override
  public synchronized void clearStage(String name, Stage stage) {
    check();
    Secret s = secrets.get(name);
    if (s == null) {
      throw BackendException.notFound(name);
    }
    s.versions().forEach(v -> v.stages().remove(stage));
  }

  @Override
  public boolean healthy() {
    return failure == null;
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
