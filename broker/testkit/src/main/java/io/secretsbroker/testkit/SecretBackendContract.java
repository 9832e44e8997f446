package io.secretsbroker.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsbroker.spi.BackendException;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link SecretBackend} keeps. A backend's test is a short subclass that says how to build
 * the backend (and, when it can, how to take its server down and bring it back).
 *
 * <p>Each test works under its own random prefix, so subclasses may share one backend instance across tests.
 * A case that cannot apply to a backend is skipped through {@code assumeTrue}, never silently passed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SecretBackendContract {

  /** The backend under test; built by {@link #createBackend()} before each test. */
  protected SecretBackend backend;

  /** A fresh prefix per test ("t<random>/"), so tests never see each other's secrets. */
  protected String prefix;

  /** Builds the backend under test. Called before each test. */
  protected abstract SecretBackend createBackend() throws Exception;

  /** Whether {@link #stopService()} and {@link #startService()} can simulate an outage. */
  protected boolean supportsOutage() {
    return false;
  }

  /** Takes the backend's server down (the emulator, the fake). */
  protected void stopService() throws Exception {
    throw new UnsupportedOperationException("no outage support");
  }

  /** Brings the backend's server back after {@link #stopService()}. */
  protected void startService() throws Exception {
    throw new UnsupportedOperationException("no outage support");
  }

  /** The largest value this backend stores; the broker's limit (64 KiB) by default. */
  protected int maxValueSize() {
    return 64 * 1024;
  }

  @BeforeEach
  void setUpContract() throws Exception {
    backend = createBackend();
    prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "/";
  }

  @AfterEach
  void tearDownContract() {
    if (backend != null) {
      backend.close();
    }
  }

  /** A name under this test's prefix. */
  protected String name(String suffix) {
    return prefix + suffix;
  }

  /** A value from a string. */
  protected static SecretValue value(String s) {
    return SecretValue.of(s.getBytes(UTF_8));
  }

  private static String text(SecretVersion v) {
    return new String(v.value().bytes(), UTF_8);
  }

  private static ErrorCode codeOf(Callable<?> call) {
    try {
      call.call();
    } catch (BackendException e) {
      return e.code();
    } catch (Exception e) {
      throw new AssertionError("expected a BackendException, got " + e, e);
    }
    throw new AssertionError("expected a BackendException, got success");
  }

  // ---- put and get ----------------------------------------------------------------------------------

  @Test
  void put_thenGetCurrent_returnsValueVersionAndStage() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("hunter2")));

    SecretVersion read = backend.read(SecretRef.current(name("db")));

    assertThat(text(read)).isEqualTo("hunter2");
    assertThat(read.name()).isEqualTo(name("db"));
    assertThat(read.info().version()).isEqualTo(v1.version());
    assertThat(read.info().stages()).contains(Stage.CURRENT);
    assertThat(v1.stages()).containsExactly(Stage.CURRENT);
    assertThat(read.info().createdAt()).isNotNull();
  }

  @Test
  void secondPut_makesNewCurrent_andOldBecomesPrevious() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put(name("db"), value("two")));

    assertThat(v2.version()).isNotEqualTo(v1.version());
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("two");
    SecretVersion previous = backend.read(SecretRef.ofStage(name("db"), Stage.PREVIOUS));
    assertThat(text(previous)).isEqualTo("one");
    assertThat(previous.info().version()).isEqualTo(v1.version());
  }

  @Test
  void thirdPut_dropsPreviousStageFromOldestVersion() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    backend.write(WriteRequest.put(name("db"), value("two")));
    backend.write(WriteRequest.put(name("db"), value("three")));

    SecretMetadata meta = backend.describe(name("db"));
    assertThat(text(backend.read(SecretRef.ofStage(name("db"), Stage.PREVIOUS)))).isEqualTo("two");
    assertThat(meta.versions()).filteredOn(v -> v.version().equals(v1.version()))
        .allSatisfy(v -> assertThat(v.stages()).isEmpty());
    assertEachStageHeldAtMostOnce(meta);
  }

  @Test
  void getByVersion_returnsThatVersion() {
    assumeTrue(backend.capabilities().contains(io.secretsbroker.spi.Capability.VERSIONING), "no versioning");
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    backend.write(WriteRequest.put(name("db"), value("two")));

    SecretVersion read = backend.read(SecretRef.ofVersion(name("db"), v1.version()));

    assertThat(text(read)).isEqualTo("one");
    assertThat(read.info().version()).isEqualTo(v1.version());
    assertThat(read.info().stages()).containsExactly(Stage.PREVIOUS);
  }

  @Test
  void unicodeAndBinaryValues_roundTripExactly() {
    byte[] binary = new byte[4096];
    new SecureRandom().nextBytes(binary);
    binary[0] = 0;
    binary[1] = (byte) 0xff;
    backend.write(WriteRequest.put(name("bin"), SecretValue.of(binary)));
    backend.write(WriteRequest.put(name("uni"), value("pässwörd-ключ-密码-🔑")));

    assertThat(backend.read(SecretRef.current(name("bin"))).value().bytes()).isEqualTo(binary);
    assertThat(text(backend.read(SecretRef.current(name("uni"))))).isEqualTo("pässwörd-ключ-密码-🔑");
  }

  @Test
  void valueOfMaximumSize_roundTrips() {
    byte[] big = new byte[maxValueSize()];
    new SecureRandom().nextBytes(big);
    backend.write(WriteRequest.put(name("big"), SecretValue.of(big)));
    assertThat(backend.read(SecretRef.current(name("big"))).value().bytes()).isEqualTo(big);
  }

  @Test
  void valueOverBackendLimit_isRejectedAndNothingIsWritten() {
    byte[] tooBig = new byte[maxValueSize() + 1];
    assertThat(codeOf(() -> backend.write(WriteRequest.put(name("huge"), SecretValue.of(tooBig)))))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(codeOf(() -> backend.describe(name("huge")))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void nestedNamesWithDotsDashesUnderscores_roundTrip() {
    String n = name("team.a/svc_1/db-pass.word");
    backend.write(WriteRequest.put(n, value("x")));
    assertThat(text(backend.read(SecretRef.current(n)))).isEqualTo("x");
    assertThat(backend.describe(n).name()).isEqualTo(n);
  }

  // ---- not found ------------------------------------------------------------------------------------

  @Test
  void readOfUnknownSecret_isNotFound() {
    assertThat(codeOf(() -> backend.read(SecretRef.current(name("nope"))))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void readOfUnknownVersion_isNotFound() {
    backend.write(WriteRequest.put(name("db"), value("one")));
    assertThat(codeOf(() -> backend.read(SecretRef.ofVersion(name("db"), "999999"))))
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void readOfStageNobodyHolds_isNotFound() {
    backend.write(WriteRequest.put(name("db"), value("one")));
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage(name("db"), Stage.PENDING))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage(name("db"), Stage.PREVIOUS))))
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void describeAndDeleteOfUnknownSecret_areNotFound() {
    assertThat(codeOf(() -> backend.describe(name("nope")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> { backend.delete(name("nope")); return null; })).isEqualTo(ErrorCode.NOT_FOUND);
  }

  // ---- check-and-set --------------------------------------------------------------------------------

  @Test
  void checkAndSet_withMatchingVersion_writes() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")).expectingCurrent(""));
    VersionInfo v2 = backend.write(WriteRequest.put(name("db"), value("two")).expectingCurrent(v1.version()));
    assertThat(backend.read(SecretRef.current(name("db"))).info().version()).isEqualTo(v2.version());
  }

  @Test
  void checkAndSet_withStaleVersion_isConflictAndChangesNothing() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    backend.write(WriteRequest.put(name("db"), value("two")));

    assertThat(codeOf(() -> backend.write(WriteRequest.put(name("db"), value("three"))
        .expectingCurrent(v1.version())))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("two");
    assertThat(backend.describe(name("db")).versions()).hasSize(2);
  }

  @Test
  void checkAndSet_mustNotExist_onExistingSecret_isConflict() {
    backend.write(WriteRequest.put(name("db"), value("one")));
    assertThat(codeOf(() -> backend.write(WriteRequest.put(name("db"), value("two")).expectingCurrent(""))))
        .isEqualTo(ErrorCode.CONFLICT);
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("one");
  }

  // ---- list -----------------------------------------------------------------------------------------

  @Test
  void list_returnsNamesUnderPrefixInOrder_withCurrentVersion() {
    VersionInfo b = backend.write(WriteRequest.put(name("b"), value("1")));
    backend.write(WriteRequest.put(name("a"), value("1")));
    backend.write(WriteRequest.put(name("c/d"), value("1")));

    Page<SecretSummary> page = backend.list(prefix, PageRequest.first(100));

    assertThat(page.items()).extracting(SecretSummary::name).containsExactly(name("a"), name("b"), name("c/d"));
    assertThat(page.items().get(1).currentVersion()).isEqualTo(b.version());
    assertThat(page.hasNext()).isFalse();
    assertThat(backend.list(name("c/"), PageRequest.first(100)).items())
        .extracting(SecretSummary::name).containsExactly(name("c/d"));
  }

  @Test
  void list_pagesThroughEveryNameOnce() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String n = name(String.format("s%02d", i));
      backend.write(WriteRequest.put(n, value("v" + i)));
      expected.add(n);
    }
    List<String> seen = new ArrayList<>();
    PageRequest req = PageRequest.first(3);
    int pages = 0;
    while (true) {
      Page<SecretSummary> page = backend.list(prefix, req);
      assertThat(page.items().size()).isLessThanOrEqualTo(3);
      page.items().forEach(s -> seen.add(s.name()));
      pages++;
      if (!page.hasNext()) {
        break;
      }
      assertThat(pages).as("paging terminates").isLessThan(10);
      req = new PageRequest(3, page.nextPageToken());
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void list_ofEmptyPrefix_isEmptyPage() {
    Page<SecretSummary> page = backend.list(name("empty/"), PageRequest.first(10));
    assertThat(page.items()).isEmpty();
    assertThat(page.hasNext()).isFalse();
  }

  // ---- describe and delete --------------------------------------------------------------------------

  @Test
  void describe_listsVersionsOldestFirstWithStages() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    VersionInfo v2 = backend.write(WriteRequest.put(name("db"), value("two")));

    SecretMetadata meta = backend.describe(name("db"));

    assertThat(meta.name()).isEqualTo(name("db"));
    assertThat(meta.versions()).extracting(VersionInfo::version).containsExactly(v1.version(), v2.version());
    assertThat(meta.current()).map(VersionInfo::version).contains(v2.version());
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains(v1.version());
    assertThat(meta.createdAt()).isBeforeOrEqualTo(meta.updatedAt());
  }

  @Test
  void delete_removesEveryVersion_andNameCanBeReused() {
    backend.write(WriteRequest.put(name("db"), value("one")));
    backend.write(WriteRequest.put(name("db"), value("two")));

    backend.delete(name("db"));

    assertThat(codeOf(() -> backend.read(SecretRef.current(name("db"))))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> backend.describe(name("db")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.list(prefix, PageRequest.first(10)).items()).isEmpty();
    backend.write(WriteRequest.put(name("db"), value("again")));
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("again");
    assertThat(backend.describe(name("db")).versions()).hasSize(1);
  }

  // ---- stages and rotation --------------------------------------------------------------------------

  @Test
  void pendingWrite_leavesCurrentUntouched() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    VersionInfo pending = backend.write(WriteRequest.pending(name("db"), value("two")));

    assertThat(pending.stages()).containsExactly(Stage.PENDING);
    assertThat(backend.read(SecretRef.current(name("db"))).info().version()).isEqualTo(v1.version());
    assertThat(text(backend.read(SecretRef.ofStage(name("db"), Stage.PENDING)))).isEqualTo("two");
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage(name("db"), Stage.PREVIOUS))))
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void rotationFlow_pendingPromotedToCurrent_oldCurrentBecomesPrevious() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    VersionInfo v2 = backend.write(WriteRequest.pending(name("db"), value("two")));

    backend.moveStage(name("db"), Stage.CURRENT, v2.version());

    SecretMetadata meta = backend.describe(name("db"));
    assertThat(meta.current()).map(VersionInfo::version).contains(v2.version());
    assertThat(meta.withStage(Stage.PREVIOUS)).map(VersionInfo::version).contains(v1.version());
    assertThat(meta.withStage(Stage.PENDING)).isEmpty();
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("two");
    assertEachStageHeldAtMostOnce(meta);

    backend.clearStage(name("db"), Stage.PREVIOUS);
    assertThat(codeOf(() -> backend.read(SecretRef.ofStage(name("db"), Stage.PREVIOUS))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("two");
  }

  @Test
  void moveStage_toUnknownVersion_isNotFoundAndChangesNothing() {
    VersionInfo v1 = backend.write(WriteRequest.put(name("db"), value("one")));
    assertThat(codeOf(() -> { backend.moveStage(name("db"), Stage.CURRENT, "424242"); return null; }))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(backend.read(SecretRef.current(name("db"))).info().version()).isEqualTo(v1.version());
  }

  @Test
  void clearStage_whenNobodyHoldsIt_isNoop() {
    backend.write(WriteRequest.put(name("db"), value("one")));
    backend.clearStage(name("db"), Stage.PENDING);
    assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("one");
  }

  // ---- concurrency ----------------------------------------------------------------------------------

  @Test
  void concurrentWriters_eachGetADistinctVersion_andOneCurrentRemains() throws Exception {
    int writers = 4;
    int perWriter = 5;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(pool.submit(() -> {
          List<String> versions = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            versions.add(writeRetryingConflicts(WriteRequest.put(name("hot"), value("w" + id + "-" + i))));
          }
          return versions;
        }));
      }
      Set<String> all = new HashSet<>();
      for (Future<List<String>> f : futures) {
        all.addAll(f.get(90, TimeUnit.SECONDS));
      }
      assertThat(all).hasSize(writers * perWriter);
      SecretMetadata meta = backend.describe(name("hot"));
      assertEachStageHeldAtMostOnce(meta);
      assertThat(meta.current()).isPresent();
      assertThat(all).contains(meta.current().get().version());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentCheckAndSet_exactlyOneWriterWins() throws Exception {
    VersionInfo v1 = backend.write(WriteRequest.put(name("cas"), value("base")));
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(pool.submit(() -> {
          try {
            backend.write(WriteRequest.put(name("cas"), value("w" + id)).expectingCurrent(v1.version()));
            return true;
          } catch (BackendException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            return false;
          }
        }));
      }
      int winners = 0;
      for (Future<Boolean> f : futures) {
        winners += f.get(90, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      assertThat(backend.describe(name("cas")).versions()).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- outage ---------------------------------------------------------------------------------------

  @Test
  void outage_isUnavailable_andRecoveryServesAgain() throws Exception {
    assumeTrue(supportsOutage(), "this backend's test cannot stop its server");
    backend.write(WriteRequest.put(name("db"), value("one")));
    stopService();
    try {
      assertThat(codeOf(() -> backend.read(SecretRef.current(name("db"))))).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(codeOf(() -> backend.write(WriteRequest.put(name("db"), value("two")))))
          .isEqualTo(ErrorCode.UNAVAILABLE);
    } finally {
      startService();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        assertThat(text(backend.read(SecretRef.current(name("db"))))).isEqualTo("one");
        break;
      } catch (BackendException e) {
        if (!e.retryable() || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200); // waiting for a real server to come back, not for time to pass
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  /** Writes, retrying when a backend without atomic CAS reports a lost race as CONFLICT. */
  private String writeRetryingConflicts(WriteRequest request) {
    for (int attempt = 0; ; attempt++) {
      try {
        return backend.write(request).version();
      } catch (BackendException e) {
        if (e.code() != ErrorCode.CONFLICT || attempt > 20) {
          throw e;
        }
      }
    }
  }

  /** Asserts that no stage is held by two versions. */
  protected static void assertEachStageHeldAtMostOnce(SecretMetadata meta) {
    for (Stage s : Stage.values()) {
      assertThat(meta.versions().stream().filter(v -> v.has(s)).count())
          .as("versions holding %s", s).isLessThanOrEqualTo(1);
    }
  }
}
