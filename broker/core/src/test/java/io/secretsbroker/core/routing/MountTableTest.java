package io.secretsbroker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.cache.CacheSettings;
import io.secretsbroker.core.cache.CachingBackend;
import io.secretsbroker.testkit.FakeClock;
import io.secretsbroker.testkit.InMemoryBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
  private static Mount mount(String prefix) {
    return new Mount(prefix, "memory", new CachingBackend(new InMemoryBackend(new FakeClock()),
        CacheSettings.defaults(), Ticker.systemTicker(), Runnable::run));
  }

  private final Mount root = mount("");
  private final Mount trading = mount("trading/");
  private final Mount tradingEu = mount("trading/eu/");
  private final MountTable table = new MountTable(List.of(root, trading, tradingEu));

  @Test
  void route_picksLongestMatchingPrefix() {
    assertThat(table.route("trading/eu/db")).isSameAs(tradingEu);
    assertThat(table.route("trading/us/db")).isSameAs(trading);
    assertThat(table.route("tradingx")).isSameAs(root);
    assertThat(table.route("other/db")).isSameAs(root);
    assertThat(tradingEu.relative("trading/eu/db")).isEqualTo("db");
  }

  @Test
  void route_withoutRootMount_isNotFoundForUnmountedNames() {
    MountTable noRoot = new MountTable(List.of(trading));
    assertThatThrownBy(() -> noRoot.route("payments/x")).isInstanceOf(BrokerException.class)
        .hasMessageContaining("no mount");
  }

  @Test
  void mountsFor_prefix_includesNestedMountsOnly() {
    assertThat(table.mountsFor("trading/")).containsExactly(trading, tradingEu);
    assertThat(table.mountsFor("trading/eu/")).containsExactly(tradingEu);
    assertThat(table.mountsFor("")).containsExactly(root, trading, tradingEu);
    assertThat(table.mountsFor("other/")).containsExactly(root);
  }

  @Test
  void duplicatePrefixes_areRejected() {
    assertThatThrownBy(() -> new MountTable(List.of(mount("a/"), mount("a/"))))
        .hasMessageContaining("share the prefix 'a/'");
  }
}
