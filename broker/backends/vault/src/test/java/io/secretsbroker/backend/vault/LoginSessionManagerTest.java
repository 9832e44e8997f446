package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.testkit.FakeClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.vault.authentication.LoginToken;
import org.springframework.vault.support.VaultToken;

class LoginSessionManagerTest {
  private final FakeClock clock = new FakeClock();
  private final AtomicInteger logins = new AtomicInteger();

  private LoginSessionManager manager(Duration ttl) {
    return new LoginSessionManager(() -> () -> {
      int n = logins.incrementAndGet();
      return ttl == null ? VaultToken.of("static-" + n) : LoginToken.of(("t" + n).toCharArray(), ttl);
    }, clock);
  }

  @Test
  void firstUse_logsInOnce_andReusesTheToken() {
    LoginSessionManager m = manager(Duration.ofHours(1));
    assertThat(m.getSessionToken().getToken()).isEqualTo("t1");
    assertThat(m.getSessionToken().getToken()).isEqualTo("t1");
    assertThat(logins).hasValue(1);
  }

  @Test
  void afterTwoThirdsOfTheTtl_logsInAgain() {
    LoginSessionManager m = manager(Duration.ofSeconds(3000));
    m.getSessionToken();
    clock.advance(Duration.ofSeconds(1999));
    assertThat(m.getSessionToken().getToken()).isEqualTo("t1");
    clock.advance(Duration.ofSeconds(1));
    assertThat(m.getSessionToken().getToken()).isEqualTo("t2");
    assertThat(m.logins()).isEqualTo(2);
  }

  @Test
  void tokenWithoutTtl_isKeptUntilInvalidated() {
    LoginSessionManager m = manager(null);
    m.getSessionToken();
    clock.advance(Duration.ofDays(365));
    assertThat(m.getSessionToken().getToken()).isEqualTo("static-1");
    m.invalidate(m.generation());
    assertThat(m.getSessionToken().getToken()).isEqualTo("static-2");
  }

  @Test
  void invalidatingAnOlderGeneration_keepsTheNewerToken() {
    LoginSessionManager m = manager(Duration.ofHours(1));
    m.getSessionToken();
    long old = m.generation();
    m.invalidate(old);
    m.getSessionToken();
    m.invalidate(old);
    assertThat(m.getSessionToken().getToken()).isEqualTo("t2");
    assertThat(logins).hasValue(2);
  }
}
