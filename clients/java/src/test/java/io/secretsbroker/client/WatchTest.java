package io.secretsbroker.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.secretsbroker.proto.v1.WatchSecretsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchTest {
  private final FakeBroker fake = FakeBroker.inProcess();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final SecretsClient client = SecretsClient.builder()
      .channel(fake.inProcessChannel())
      .environment(name -> null)
      .token("t")
      .scheduler(scheduler)
      .sleeper(d -> {})
      .random(new Random(3))
      .build();

  @AfterEach
  void tearDown() {
    client.close();
    fake.close();
  }

  /** Records what a watch reports. */
  private static final class Recorder implements WatchListener {
    final List<SecretEvent> events = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    @Override
    public synchronized void onEvent(SecretEvent event) {
      events.add(event);
      log.add(event.type() + " " + event.name() + "@" + event.version());
    }

    @Override
    public synchronized void onConnected() {
      log.add("connected");
    }

    @Override
    public synchronized void onDisconnected(SecretsBrokerException cause) {
      log.add("disconnected " + cause.code());
    }

    @Override
    public synchronized void onStopped(SecretsBrokerException cause) {
      log.add("stopped " + cause.code());
    }
  }

  private void put(String name, String value) {
    client.put(name, value.getBytes(UTF_8));
  }

  @Test
  void watch_deliversEventsUnderItsPrefixes_butNotHeartbeats() {
    Recorder r = new Recorder();
    client.watch(List.of("app/"), r);

    put("app/a", "1");
    put("other/b", "1");
    client.rotation().rotate("app/a");
    client.delete("app/a");

    assertThat(r.log).containsExactly("connected", "UPDATED app/a@1", "ROTATED app/a@2", "DELETED app/a@");
    assertThat(r.events.get(0).eventId()).isEqualTo(1);
    assertThat(r.events.get(0).time()).isEqualTo(FakeBroker.T0);
    assertThat(fake.watchRequests()).containsExactly(
        WatchSecretsRequest.newBuilder().addPrefixes("app/").setResumeAfterEventId(0).build());
    assertThat(fake.calls("WatchSecrets").get(0).authorization).isEqualTo("Bearer t");
    assertThat(fake.calls("WatchSecrets").get(0).deadline).isNull();
  }

  @Test
  void brokenStream_isReopenedAfterBackoff_resumingAfterTheLastEventSeen() {
    Recorder r = new Recorder();
    Watch watch = client.watch(List.of("app/"), r);
    put("app/a", "1");
    put("app/a", "2");

    fake.breakWatches(Status.UNAVAILABLE.withDescription("broker restarting"));
    put("app/a", "3");

    assertThat(r.log).endsWith("disconnected UNAVAILABLE");
    assertThat(scheduler.pending()).singleElement()
        .satisfies(d -> assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofMillis(100)));
    assertThat(watch.lastEventId()).isEqualTo(2);

    scheduler.runPending();

    assertThat(fake.watchRequests()).hasSize(2);
    assertThat(fake.watchRequests().get(1).getResumeAfterEventId()).isEqualTo(2);
    assertThat(r.log).endsWith("connected", "UPDATED app/a@3");
    assertThat(watch.lastEventId()).isEqualTo(3);
    assertThat(watch.isActive()).isTrue();
  }

  @Test
  void failingReconnects_backOffFurther_upToTheBound_andResetOnceConnected() {
    Recorder r = new Recorder();
    client.watch(List.of(), r);
    fake.failNext("WatchSecrets", Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE,
        Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE);
    fake.breakWatches(Status.UNAVAILABLE);

    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      delays.add(scheduler.pending().get(0));
      scheduler.runPending();
    }

    assertThat(delays.get(1)).isGreaterThan(delays.get(0));
    assertThat(delays.get(3)).isGreaterThan(delays.get(1));
    assertThat(delays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(SecretsClient.MAX_RECONNECT_BACKOFF));
    assertThat(delays.get(9)).isGreaterThanOrEqualTo(SecretsClient.MAX_RECONNECT_BACKOFF.dividedBy(2));
    assertThat(fake.openWatches()).isEqualTo(1);

    fake.breakWatches(Status.UNAVAILABLE);
    assertThat(scheduler.pending().get(0)).isLessThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void serverEndingTheStream_isReopened() {
    Recorder r = new Recorder();
    client.watch(List.of(), r);

    fake.completeWatches();
    scheduler.runPending();

    assertThat(r.log).containsExactly("connected", "disconnected UNAVAILABLE", "connected");
    assertThat(fake.openWatches()).isEqualTo(1);
  }

  @Test
  void refusal_stopsTheWatchWithoutRetrying() {
    Recorder r = new Recorder();
    Watch watch = client.watch(List.of(), r);

    fake.breakWatches(Status.PERMISSION_DENIED.withDescription("token revoked"));

    assertThat(r.log).containsExactly("connected", "stopped PERMISSION_DENIED");
    assertThat(scheduler.pending()).isEmpty();
    assertThat(watch.isActive()).isFalse();
  }

  @Test
  void close_cancelsTheStreamAndAPendingReconnect() {
    Recorder r = new Recorder();
    Watch watch = client.watch(List.of(), r);
    fake.breakWatches(Status.UNAVAILABLE);

    watch.close();
    scheduler.runPending();

    assertThat(fake.watchRequests()).hasSize(1);
    assertThat(watch.isActive()).isFalse();

    Watch second = client.watch(List.of(), r);
    second.close();
    put("app/a", "1");
    assertThat(r.events).isEmpty();
    assertThat(fake.openWatches()).isZero();
  }

  @Test
  void aThrowingListener_doesNotBreakTheStream() {
    List<String> seen = new ArrayList<>();
    client.watch(List.of(), e -> {
      seen.add(e.version());
      throw new IllegalStateException("application bug");
    });

    put("app/a", "1");
    put("app/a", "2");

    assertThat(seen).containsExactly("1", "2");
  }

  @Test
  void subscribe_deliversTheValue_andEachNewVersion() {
    fake.seed("app/db", "v1");
    List<String> seen = new ArrayList<>();

    Subscription s = client.subscribe("app/db", secret -> seen.add(secret.valueAsString()));
    assertThat(s.current().valueAsString()).isEqualTo("v1");
    assertThat(fake.watchRequests().get(0).getPrefixesList()).containsExactly("app/db");

    put("app/db", "v2");
    scheduler.runPending();
    client.rotation().rotate("app/db", "v3".getBytes(UTF_8));
    scheduler.runPending();

    assertThat(s.current().valueAsString()).isEqualTo("v3");
    assertThat(seen).containsExactly("v1", "v2", "v3");
  }

  @Test
  void subscribe_ignoresOtherNamesSharingThePrefix() {
    fake.seed("app/db", "v1");
    fake.seed("app/db-old", "x");
    Subscription s = client.subscribe("app/db", secret -> {});
    int reads = fake.calls("GetSecret").size();

    put("app/db-old", "y");
    scheduler.runPending();

    assertThat(fake.calls("GetSecret")).hasSize(reads);
    assertThat(s.current().version()).isEqualTo("1");
  }

  @Test
  void subscribe_revokedCurrentVersion_isDroppedAtOnce() {
    fake.seed("app/db", "v1");
    Subscription s = client.subscribe("app/db", secret -> {});

    client.revocation().revoke("app/db", "1", "leaked");

    assertThatThrownBy(s::current).isInstanceOf(FailedPreconditionException.class);
    scheduler.runPending();
    assertThatThrownBy(s::current).isInstanceOf(FailedPreconditionException.class);

    put("app/db", "v2");
    scheduler.runPending();
    assertThat(s.current().valueAsString()).isEqualTo("v2");
  }

  @Test
  void subscribe_deletedSecret_isNotFound() {
    fake.seed("app/db", "v1");
    Subscription s = client.subscribe("app/db", secret -> {});

    client.delete("app/db");
    scheduler.runPending();

    assertThatThrownBy(s::current).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void subscribe_brokenStream_pollsEveryCacheTtl_untilTheStreamIsBack() {
    fake.seed("app/db", "v1");
    List<String> seen = new ArrayList<>();
    Subscription s = client.subscribe("app/db", secret -> seen.add(secret.valueAsString()));

    fake.failNext("WatchSecrets", Status.UNAVAILABLE, Status.UNAVAILABLE);
    fake.breakWatches(Status.UNAVAILABLE);
    assertThat(scheduler.pending()).contains(Duration.ofMinutes(5));

    fake.seed("app/db", "v2");
    scheduler.runPending();

    assertThat(s.current().valueAsString()).isEqualTo("v2");
    assertThat(seen).containsExactly("v1", "v2");
    assertThat(scheduler.pending()).contains(Duration.ofMinutes(5));

    fake.seed("app/db", "v3");
    scheduler.runPending();
    assertThat(s.current().valueAsString()).isEqualTo("v3");

    scheduler.runPending();
    assertThat(fake.openWatches()).isEqualTo(1);
    assertThat(scheduler.pending()).containsExactly(Duration.ZERO);
    scheduler.runPending();
    assertThat(scheduler.pending()).isEmpty();

    fake.seed("app/db", "v4");
    scheduler.runPending();
    assertThat(seen).containsExactly("v1", "v2", "v3");
  }

  @Test
  void subscribe_transientErrorWhileRefreshing_keepsTheValue() {
    fake.seed("app/db", "v1");
    Subscription s = client.subscribe("app/db", secret -> {});
    fake.failNext("GetSecret", Status.INTERNAL);

    put("app/db", "v2");
    scheduler.runPending();

    assertThat(s.current().valueAsString()).isEqualTo("v1");
  }

  @Test
  void subscribe_missingSecret_throwsAndLeavesNoWatch() {
    assertThatThrownBy(() -> client.subscribe("app/none", secret -> {})).isInstanceOf(SecretNotFoundException.class);
    assertThat(fake.openWatches()).isZero();
  }

  @Test
  void subscribe_close_stopsWatchingAndPolling() {
    fake.seed("app/db", "v1");
    Subscription s = client.subscribe("app/db", secret -> {});
    fake.failNext("WatchSecrets", Status.UNAVAILABLE);
    fake.breakWatches(Status.UNAVAILABLE);

    s.close();

    assertThat(scheduler.pending()).isEmpty();
    assertThat(fake.openWatches()).isZero();
  }
}
