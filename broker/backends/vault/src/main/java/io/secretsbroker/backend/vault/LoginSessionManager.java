package io.secretsbroker.backend.vault;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.vault.authentication.ClientAuthentication;
import org.springframework.vault.authentication.LoginToken;
import org.springframework.vault.authentication.SessionManager;
import org.springframework.vault.support.VaultToken;

/**
 * Holds the backend's Vault token: logs in on first use, again once two thirds of the token's TTL have passed
 * (by the injected clock), and again after {@link #invalidate} (Vault refused the token). Logging in again rather
 * than renewing also covers tokens that reached their max TTL. Thread-safe; one login at a time.
 */
final class LoginSessionManager implements SessionManager {
  private final Supplier<ClientAuthentication> authentication;
  private final Clock clock;
  private VaultToken token;
  private Instant refreshAt;
  private long generation;
  private long logins;

  /**
   * @param authentication makes a fresh login, reading the credentials anew each time (files may rotate)
   * @param clock the clock TTLs are measured with
   */
  LoginSessionManager(Supplier<ClientAuthentication> authentication, Clock clock) {
    this.authentication = authentication;
    this.clock = clock;
  }

  @Override
  public synchronized VaultToken getSessionToken() {
    if (token == null || (refreshAt != null && !clock.instant().isBefore(refreshAt))) {
      VaultToken fresh = authentication.get().login();
      Duration ttl = fresh instanceof LoginToken lt ? lt.getLeaseDuration() : Duration.ZERO;
      token = fresh;
      refreshAt = ttl.isZero() || ttl.isNegative() ? null : clock.instant().plus(ttl.multipliedBy(2).dividedBy(3));
      generation++;
      logins++;
    }
    return token;
  }

  /** Identifies the token in use now; pass it to {@link #invalidate}. */
  synchronized long generation() {
    return generation;
  }

  /** Forgets the token of {@code generation} so the next call logs in again; a newer token is kept. */
  synchronized void invalidate(long generation) {
    if (this.generation == generation) {
      token = null;
    }
  }

  /** Forgets the token and hands it back, or null when there is none; the next call logs in again. */
  synchronized VaultToken takeToken() {
    VaultToken t = token;
    token = null;
    generation++;
    return t;
  }

  /** How many logins happened (for tests and metrics). */
  synchronized long logins() {
    return logins;
  }
}
