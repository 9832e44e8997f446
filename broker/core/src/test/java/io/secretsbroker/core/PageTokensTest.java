package io.secretsbroker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PageTokensTest {
  @Test
  void roundTrip_andEmptyTokenIsTheFirstPage() {
    assertThat(PageTokens.decode("a", PageTokens.encode("a", 42))).isEqualTo(42);
    assertThat(PageTokens.decode("a", "")).isZero();
  }

  @Test
  void tokensOfAnotherKindOrForeignTokens_areInvalidArgument() {
    String audit = PageTokens.encode("a", 7);
    assertThatThrownBy(() -> PageTokens.decode("r", audit)).hasMessage("page.page_token: not a token this server issued");
    assertThatThrownBy(() -> PageTokens.decode("a", "!!")).isInstanceOf(BrokerException.class);
    assertThatThrownBy(() -> PageTokens.decode("a", PageTokens.encode("a", -1))).isInstanceOf(BrokerException.class);
    assertThatThrownBy(() -> PageTokens.decodeOffset("a", PageTokens.encode("a", 1L << 40)))
        .isInstanceOf(BrokerException.class);
  }
}
