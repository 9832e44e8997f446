package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoreTest {
  private static final String READ_A = "path \"a/*\" { capabilities = [\"read\"] }\n";
  private static final String READ_B = "path \"b/*\" { capabilities = [\"read\"] }\n";

  @TempDir Path dir;
  private final RecordingListener listener = new RecordingListener();

  /** Records what the store reports, as the daemon's metric would. */
  static final class RecordingListener implements PolicyStore.Listener {
    final List<PolicySet> reloads = new ArrayList<>();
    final List<PolicyException> rejections = new ArrayList<>();

    @Override
    public void reloaded(PolicySet policies) {
      reloads.add(policies);
    }

    @Override
    public void rejected(PolicyException error) {
      rejections.add(error);
    }
  }

  private void write(String file, String text) throws IOException {
    Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
  }

  private static boolean reads(PolicySet set, String policy, String path) {
    return set.decide(Set.of(policy), Capability.READ, path).allowed();
  }

  @Test
  void open_loadsEveryHclFileNamedByItsFileName() throws IOException {
    write("trading.hcl", READ_A);
    write("empty.hcl", "# nothing yet\n");
    write("notes.txt", "not a policy");
    write(".hidden.hcl", "garbage");
    Files.createDirectory(dir.resolve("golden"));
    write("golden/nested.hcl", "garbage");

    PolicyStore store = PolicyStore.open(dir, listener);

    assertThat(store.current().names()).containsExactly("empty", "trading");
    assertThat(reads(store.current(), "trading", "a/x")).isTrue();
    assertThat(store.directory()).isEqualTo(dir);
  }

  @Test
  void open_loadsJsonFiles_decidingTheSyntaxByContent() throws IOException {
    write("market.json", "{\"path\": {\"b/*\": {\"capabilities\": [\"read\"]}}}");
    write("hcl-in-json-name.json", READ_A);

    PolicyStore store = PolicyStore.open(dir, listener);

    assertThat(store.current().names()).containsExactly("hcl-in-json-name", "market");
    assertThat(reads(store.current(), "market", "b/x")).isTrue();
    assertThat(reads(store.current(), "hcl-in-json-name", "a/x")).isTrue();
  }

  @Test
  void open_withTheSameNameInHclAndJson_fails() throws IOException {
    write("trading.hcl", READ_A);
    write("trading.json", "{}");

    assertThatThrownBy(() -> PolicyStore.open(dir, listener)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("both define the policy \"trading\"");
  }

  @Test
  void open_withABrokenJsonFile_namesItsLineAndColumn() throws IOException {
    write("bad.json", "{\n  \"path\": {\"a\": {\"capabilities\": [\"read\",]}}\n}\n");

    assertThatThrownBy(() -> PolicyStore.open(dir, listener)).isInstanceOf(PolicyParseException.class)
        .hasMessageStartingWith("bad.json:2:42: expected a JSON value");
  }

  @Test
  void open_ofAnEmptyFolder_denyEverything() {
    PolicyStore store = PolicyStore.open(dir, listener);

    assertThat(store.current().names()).isEmpty();
  }

  @Test
  void open_withABrokenFile_failsNamingFileLineAndColumn() throws IOException {
    write("good.hcl", READ_A);
    write("bad.hcl", "path \"a\" {\n  capabilities = [\"raed\"]\n}\n");
    write("worse.hcl", "@");

    assertThatThrownBy(() -> PolicyStore.open(dir, listener))
        .isInstanceOf(PolicyParseException.class)
        .hasMessageStartingWith("bad.hcl:2:19: unknown capability \"raed\"")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
  }

  @Test
  void open_ofAMissingFolder_fails() {
    assertThatThrownBy(() -> PolicyStore.open(dir.resolve("nope"), listener))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void open_withAnInvalidFileName_fails() throws IOException {
    write("my policy.hcl", READ_A);

    assertThatThrownBy(() -> PolicyStore.open(dir, listener))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("\"my policy\" is not a valid policy name");
  }

  @Test
  void open_withInvalidUtf8_failsAtTheBadByte() throws IOException {
    Files.write(dir.resolve("bin.hcl"), new byte[] {'#', ' ', 'x', '\n', ' ', (byte) 0xC3, '('});

    assertThatThrownBy(() -> PolicyStore.open(dir, listener))
        .isInstanceOf(PolicyParseException.class)
        .hasMessage("bin.hcl:2:2: the file is not valid UTF-8 (byte 0xC3 at offset 5)");
  }

  @Test
  void open_withAnOversizedFile_fails() throws IOException {
    Files.write(dir.resolve("huge.hcl"), new byte[(int) PolicyStore.MAX_FILE_BYTES + 1]);

    assertThatThrownBy(() -> PolicyStore.open(dir, listener))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("huge.hcl: larger than");
  }

  @Test
  void reload_withoutChanges_doesNothing() throws IOException {
    write("p.hcl", READ_A);
    PolicyStore store = PolicyStore.open(dir, listener);
    PolicySet before = store.current();

    assertThat(store.reload()).isFalse();

    assertThat(store.current()).isSameAs(before);
    assertThat(listener.reloads).isEmpty();
    assertThat(listener.rejections).isEmpty();
  }

  @Test
  void reload_afterAValidChange_swapsInTheNewSet() throws IOException {
    write("p.hcl", READ_A);
    PolicyStore store = PolicyStore.open(dir, listener);
    PolicySet before = store.current();

    write("p.hcl", READ_B);
    write("q.hcl", READ_A);

    assertThat(store.reload()).isTrue();
    assertThat(store.current().names()).containsExactly("p", "q");
    assertThat(reads(store.current(), "p", "b/x")).isTrue();
    assertThat(reads(store.current(), "p", "a/x")).isFalse();
    assertThat(reads(before, "p", "a/x")).as("an old snapshot never changes").isTrue();
    assertThat(listener.reloads).containsExactly(store.current());
  }

  @Test
  void reload_afterADeletedFile_dropsThatPolicy() throws IOException {
    write("p.hcl", READ_A);
    write("q.hcl", READ_B);
    PolicyStore store = PolicyStore.open(dir, listener);

    Files.delete(dir.resolve("q.hcl"));

    assertThat(store.reload()).isTrue();
    assertThat(store.current().names()).containsExactly("p");
  }

  @Test
  void reload_withABrokenFile_keepsThePreviousCompleteSetAndReportsOnce() throws IOException {
    write("p.hcl", READ_A);
    write("q.hcl", READ_A);
    PolicyStore store = PolicyStore.open(dir, listener);
    PolicySet before = store.current();

    write("p.hcl", READ_B);
    write("q.hcl", "path \"b/*\" {\n  capabilities = [\"read\"\n");

    assertThat(store.reload()).isFalse();
    assertThat(store.current()).as("all or nothing: p's valid change is not applied either").isSameAs(before);
    assertThat(listener.rejections).hasSize(1);
    PolicyParseException e = (PolicyParseException) listener.rejections.get(0);
    assertThat(e.fileName()).isEqualTo("q.hcl");
    assertThat(e.line() + ":" + e.column()).isEqualTo("3:1");

    assertThat(store.reload()).as("the same broken contents are not reported again").isFalse();
    assertThat(listener.rejections).hasSize(1);

    write("q.hcl", READ_B + "# fixed\n");
    assertThat(store.reload()).isTrue();
    assertThat(reads(store.current(), "q", "b/x")).isTrue();
    assertThat(reads(store.current(), "p", "b/x")).isTrue();
    assertThat(listener.rejections).hasSize(1);
    assertThat(listener.reloads).hasSize(1);
  }

  @Test
  void reload_whenTheFolderDisappears_keepsThePreviousSet() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("policies"));
    Files.writeString(sub.resolve("p.hcl"), READ_A);
    PolicyStore store = PolicyStore.open(sub, listener);

    Files.delete(sub.resolve("p.hcl"));
    Files.delete(sub);

    assertThat(store.reload()).isFalse();
    assertThat(store.reload()).isFalse();
    assertThat(store.current().names()).containsExactly("p");
    assertThat(listener.rejections).hasSize(1);
    assertThat(listener.rejections.get(0)).hasMessageContaining("does not exist");
  }

  @Test
  void polling_reloadsOnTheSchedulersTick() throws IOException {
    write("p.hcl", READ_A);
    CapturingScheduler scheduler = new CapturingScheduler();
    try (PolicyStore store = PolicyStore.open(dir, listener)) {
      store.startPolling(scheduler, Duration.ofSeconds(2));

      assertThat(scheduler.delayMillis).isEqualTo(2000);
      assertThatThrownBy(() -> store.startPolling(scheduler, Duration.ofSeconds(2))).isInstanceOf(IllegalStateException.class);

      write("p.hcl", READ_B);
      scheduler.tick();

      assertThat(reads(store.current(), "p", "b/x")).isTrue();
      assertThat(listener.reloads).hasSize(1);
    } finally {
      assertThat(scheduler.future.isCancelled()).as("close() stops polling").isTrue();
      scheduler.shutdownNow();
    }
  }

  @Test
  void readers_alwaysSeeAWholeSet_whileReloadsHappen() throws Exception {
    write("p.hcl", READ_A);
    write("q.hcl", READ_A);
    PolicyStore store = PolicyStore.open(dir, listener);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> torn = new AtomicReference<>();
    var reader = Executors.newSingleThreadExecutor();
    try {
      var reading = reader.submit(() -> {
        while (!done.get()) {
          PolicySet set = store.current();
          boolean pA = reads(set, "p", "a/x");
          boolean qA = reads(set, "q", "a/x");
          if (pA != qA) {
            torn.set("p and q disagree in one snapshot: " + set);
          }
        }
      });
      for (int i = 0; i < 40; i++) {
        String text = i % 2 == 0 ? READ_B : READ_A;
        write("p.hcl", text);
        write("q.hcl", text);
        store.reload();
      }
      done.set(true);
      reading.get(10, TimeUnit.SECONDS);
    } finally {
      reader.shutdownNow();
    }
    assertThat(torn.get()).isNull();
  }

  /** A scheduler that records the periodic task instead of running it; {@link #tick()} runs it. */
  static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    Runnable task;
    long delayMillis;
    ScheduledFuture<?> future;

    CapturingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      task = command;
      delayMillis = unit.toMillis(delay);
      future = schedule(() -> { }, 1, TimeUnit.DAYS);
      return future;
    }

    void tick() {
      task.run();
    }
  }
}
