package io.secretsbroker.server.ha;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.ForwardingBackend;
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
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test backend {@code ha-gated}: the {@code local} backend, plus a gate a test arms for one replica (found by its
 * data folder) to stop that replica in the middle of a rotation. The gated write of a pending version happens,
 * then the replica waits until the test lets it go and "dies": that call and every later call fail, so nothing
 * after the write is done or recorded by it — as if the process had stopped right after the backend answered.
 */
public final class GatedBackendProvider implements BackendProvider {
  private static final Map<Path, Gate> GATES = new ConcurrentHashMap<>();

  /** A replica's crash point. */
  static final class Gate {
    final String name;
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean dead;

    Gate(String name) {
      this.name = name;
    }
  }

  /** Arms a gate on the replica with {@code dataDir} for the pending write of {@code relativeName}. */
  static Gate arm(Path dataDir, String relativeName) {
    Gate g = new Gate(relativeName);
    GATES.put(dataDir.toAbsolutePath().normalize(), g);
    return g;
  }

  static void disarmAll() {
    GATES.values().forEach(g -> g.release.countDown());
    GATES.clear();
  }

  @Override
  public String kind() {
    return "ha-gated";
  }

  @Override
  public SecretBackend create(BackendContext context) {
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (p.kind().equals("local")) {
        return new Gated(p.create(context), context.dataDir().toAbsolutePath().normalize());
      }
    }
    throw new IllegalStateException("the local backend is not on the test classpath");
  }

  private static final class Gated extends ForwardingBackend {
    private final Path dataDir;

    Gated(SecretBackend local, Path dataDir) {
      super(local);
      this.dataDir = dataDir;
    }

    private void alive() {
      Gate g = GATES.get(dataDir);
      if (g != null && g.dead) {
        throw new BackendException(ErrorCode.INTERNAL, "this replica stopped (test crash)");
      }
    }

    @Override
    public SecretVersion read(SecretRef ref) {
      alive();
      return super.read(ref);
    }

    @Override
    public VersionInfo write(WriteRequest request) {
      alive();
      Gate g = GATES.get(dataDir);
      if (g == null || request.stage() != Stage.PENDING || !request.name().equals(g.name)) {
        return super.write(request);
      }
      super.write(request);
      g.reached.countDown();
      try {
        g.release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      g.dead = true;
      throw new BackendException(ErrorCode.INTERNAL, "this replica stopped right after writing (test crash)");
    }

    @Override
    public Page<SecretSummary> list(String prefix, PageRequest page) {
      alive();
      return super.list(prefix, page);
    }

    @Override
    public SecretMetadata describe(String name) {
      alive();
      return super.describe(name);
    }

    @Override
    public void delete(String name) {
      alive();
      super.delete(name);
    }

    @Override
    public void moveStage(String name, Stage stage, String version) {
      alive();
      super.moveStage(name, stage, version);
    }

    @Override
    public void clearStage(String name, Stage stage) {
      alive();
      super.clearStage(name, stage);
    }
  }
}
