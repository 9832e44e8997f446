package io.secretsbroker.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.rotation.PostgresLeaderLock;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.core.state.ChangeListener;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import io.secretsbroker.server.TestBroker;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state database on PostgreSQL as several replicas see it: schema migration and the refusal of a newer schema,
 * the rotation leader lock, and change notifications with polling as their fallback.
 */
class HaStateStoreIT {
  @TempDir
  Path dir;
  HaDatabase db;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void createDatabase() {
    db = HaDatabase.create();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
    db.close();
  }

  private StateStore store(String url) {
    StateStore s = StateStore.open(new StateSettings("postgresql", url, "postgres", null, 2, dir));
    open.add(s);
    return s;
  }

  private String directUrl() {
    return "jdbc:postgresql://" + HaDatabase.host() + ":" + HaDatabase.port() + "/" + db.name;
  }

  private PgProxy proxy() throws Exception {
    PgProxy p = new PgProxy(HaDatabase.address());
    open.add(p);
    return p;
  }

  private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void replicasStartingTogether_migrateTheSchemaOnce() throws Exception {
    List<CompletableFuture<StateStore>> starts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      starts.add(CompletableFuture.supplyAsync(() -> store(directUrl())));
    }
    starts.forEach(CompletableFuture::join);

    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version, COUNT(*) FROM " + StateStore.HISTORY_TABLE
            + " WHERE success GROUP BY version ORDER BY version")) {
      Map<String, Long> applied = new java.util.TreeMap<>();
      while (rs.next()) {
        applied.put(rs.getString(1), rs.getLong(2));
      }
      assertThat(applied).containsEntry("1", 1L).containsEntry("4", 1L).allSatisfy((v, n) -> assertThat(n)
          .isEqualTo(1L));
    }
  }

  @Test
  void aDatabaseMigratedByANewerBroker_isRefusedWithAMessageSayingToUpgrade() throws Exception {
    store(directUrl()).close();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO " + StateStore.HISTORY_TABLE + " (installed_rank, version, description, type, script,"
          + " checksum, installed_by, execution_time, success) SELECT MAX(installed_rank) + 1, '99', 'from the"
          + " future', 'SQL', 'V99__from_the_future.sql', 0, 'postgres', 1, TRUE FROM " + StateStore.HISTORY_TABLE);
    }

    assertThatThrownBy(() -> store(directUrl()))
        .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.failure())
            .isEqualTo(Failure.FAILED_PRECONDITION))
        .hasMessageContaining("migrated by a newer Secrets Broker")
        .hasMessageContaining("schema version(s) 99")
        .hasMessageContaining("upgrade this binary");

    HaCluster.Replica r = new HaCluster.Replica("old", dir.resolve("old"), proxy());
    String yaml = "state: {type: postgresql, url: \"" + db.urlVia(r.proxy.port()) + "\", username: postgres}\n";
    assertThatThrownBy(() -> TestBroker.start(r.dataDir, yaml, Clock.systemUTC()))
        .isInstanceOf(BrokerException.class).hasMessageContaining("upgrade this binary");
  }

  @Test
  void leaderLock_isHeldByOneBroker_andMovesWhenItsSessionDies() throws Exception {
    PgProxy toA = proxy();
    StateStore a = store(db.urlVia(toA.port()));
    StateStore b = store(directUrl());
    PostgresLeaderLock lockA = new PostgresLeaderLock(a, new SimpleMeterRegistry());
    PostgresLeaderLock lockB = new PostgresLeaderLock(b, new SimpleMeterRegistry());
    open.add(lockB::release);
    open.add(lockA::release);

    assertThat(lockA.tryAcquire()).isTrue();
    assertThat(lockA.tryAcquire()).as("renewal while the session lives").isTrue();
    assertThat(lockB.tryAcquire()).isFalse();

    toA.cut();
    assertThat(lockA.tryAcquire()).as("A noticed its session is gone").isFalse();
    await("B takes the lock once A's session ended", Duration.ofSeconds(10), lockB::tryAcquire);

    toA.restore();
    assertThat(lockA.tryAcquire()).as("A is back, but B leads").isFalse();
    lockB.release();
    assertThat(lockA.tryAcquire()).isTrue();
  }

  @Test
  void notifications_deliverOtherReplicasChangesAtOnce_andPollingCoversALostListenerSession() throws Exception {
    PgProxy toListener = proxy();
    StateStore a = store(directUrl());
    StateStore listenerStore = store(db.urlVia(toListener.port()));
    StateStore b = store(directUrl());
    ChangeFeed feedA = new ChangeFeed(a, Clock.systemUTC());
    ChangeFeed feedB = new ChangeFeed(b, Clock.systemUTC());
    Map<String, Long> deliveredAt = new ConcurrentHashMap<>();
    feedA.subscribe(e -> deliveredAt.put(e.name(), System.nanoTime()));
    ChangeListener listener = ChangeListener.start(listenerStore, feedA, new SimpleMeterRegistry());
    open.add(listener);
    await("listening", Duration.ofSeconds(10), listener::connected);

    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String name = "notified/" + i;
      feedB.publish(ChangeEvent.Type.REVOKED, name, "1");
      long published = System.nanoTime();
      await(name + " delivered by notification", Duration.ofSeconds(5), () -> deliveredAt.containsKey(name));
      micros.add(Math.max(0, (deliveredAt.get(name) - published) / 1_000));
    }
    Collections.sort(micros);
    System.out.printf("HA figure: change notification latency over %d events (publish commit -> other replica's"
        + " subscriber): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", micros.size(), micros.get(24) / 1000.0,
        micros.get(48) / 1000.0, micros.get(49) / 1000.0);
    assertThat(micros.get(48)).as("p99 in microseconds").isLessThan(1_000_000L);

    toListener.cut();
    await("listener noticed its session ended", Duration.ofSeconds(20), () -> !listener.connected());
    feedB.publish(ChangeEvent.Type.UPDATED, "while-deaf", "2");
    assertThat(feedA.poll()).as("the scheduled poll still delivers").isEqualTo(1);
    assertThat(deliveredAt).containsKey("while-deaf");

    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    List<Long> fallback = new ArrayList<>();
    try {
      poller.scheduleWithFixedDelay(feedA::poll, 1, 1, TimeUnit.SECONDS);
      for (int i = 0; i < 8; i++) {
        String name = "polled/" + i;
        feedB.publish(ChangeEvent.Type.REVOKED, name, "1");
        long published = System.nanoTime();
        await(name + " delivered by the 1 s poll", Duration.ofSeconds(5), () -> deliveredAt.containsKey(name));
        fallback.add((deliveredAt.get(name) - published) / 1_000_000);
        Thread.sleep(137L * (i % 3));
      }
    } finally {
      poller.shutdownNow();
      poller.awaitTermination(5, TimeUnit.SECONDS);
    }
    Collections.sort(fallback);
    System.out.println("HA figure: with the listener's session down, the 1 s poll delivered changes after (ms) "
        + fallback);
    assertThat(fallback.get(fallback.size() - 1)).isLessThan(2_000L);

    feedB.publish(ChangeEvent.Type.UPDATED, "caught-up-on-reconnect", "3");
    toListener.restore();
    await("listener reconnected with backoff", Duration.ofSeconds(20), listener::connected);
    await("the reconnect's catch-up poll delivered what was missed", Duration.ofSeconds(5),
        () -> deliveredAt.containsKey("caught-up-on-reconnect"));
  }
}
