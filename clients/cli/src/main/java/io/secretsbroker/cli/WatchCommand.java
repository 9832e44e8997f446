package io.secretsbroker.cli;

import io.secretsbroker.client.SecretEvent;
import io.secretsbroker.client.SecretsBrokerException;
import io.secretsbroker.client.Watch;
import io.secretsbroker.client.WatchListener;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** watch: prints change events as they happen, reconnecting on its own. */
@Command(name = "watch", description = {
    "Print change events (updated, rotated, revoked, deleted) for secrets under the prefixes until interrupted.",
    "A broken stream is re-opened and resumes where it stopped."})
final class WatchCommand extends BaseCommand {
  @Parameters(paramLabel = "PREFIX", arity = "0..*", description = "Name prefixes (default: every secret).")
  List<String> prefixes = List.of();

  @Option(names = "--count", paramLabel = "N", description = "Exit after N events.")
  int count;

  @Option(names = "--json", description = "One JSON object per line.")
  boolean json;

  /** What the listener hands to the printing thread. */
  private sealed interface Item {
    record Event(SecretEvent event) implements Item {}

    record Notice(String text) implements Item {}

    record Stopped(SecretsBrokerException cause) implements Item {}
  }

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0) {
      throw usage("--count must not be negative");
    }
    BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    try (Watch ignored = client().watch(prefixes, new WatchListener() {
      @Override
      public void onEvent(SecretEvent event) {
        queue.add(new Item.Event(event));
      }

      @Override
      public void onDisconnected(SecretsBrokerException cause) {
        queue.add(new Item.Notice("watch: stream broken (" + cause.code() + "), reconnecting"));
      }

      @Override
      public void onStopped(SecretsBrokerException cause) {
        queue.add(new Item.Stopped(cause));
      }
    })) {
      int seen = 0;
      while (count == 0 || seen < count) {
        Item item = queue.take();
        if (item instanceof Item.Event e) {
          print(e.event());
          out().flush();
          seen++;
        } else if (item instanceof Item.Notice n) {
          io().err.println(n.text());
        } else if (item instanceof Item.Stopped s) {
          throw s.cause();
        }
      }
      return Sbctl.OK;
    }
  }

  private void print(SecretEvent e) {
    String type = e.type().name().toLowerCase(Locale.ROOT);
    if (json) {
      Map<String, Object> o = Json.object();
      o.put("event_id", e.eventId());
      o.put("type", type);
      o.put("name", e.name());
      o.put("version", e.version());
      o.put("time", e.time());
      println(Json.write(o));
    } else {
      println(Fmt.time(e.time()) + "  " + type + "  " + e.name() + (e.version().isEmpty() ? "" : "  " + e.version()));
    }
  }
}
