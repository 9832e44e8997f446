package io.secretsbroker.backend.vault;

import java.io.IOException;

/**
 * A Vault for tests in other modules: the strict {@link FakeVault} with a KV v2 engine, over plain http on a free
 * loopback port. Published in this module's test-jar; the broker's end-to-end tests configure a mount with
 * {@code address: <address()>}, {@code mount: <mount>} and token auth from a file holding a token added with
 * {@link #addToken}.
 */
public final class VaultFixture implements AutoCloseable {
  private final FakeVault vault;

  private VaultFixture(FakeVault vault) {
    this.vault = vault;
  }

  /** Starts a fake with a KV v2 engine at {@code mount} (e.g. {@code secret}). */
  public static VaultFixture start(String mount) throws IOException {
    return new VaultFixture(FakeVault.start(mount));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String address() {
    return vault.address();
  }

  /** Accepts {@code token} for every request, like a root token. */
  public VaultFixture addToken(String token) {
    vault.addToken(token);
    return this;
  }

  /** Stops listening; data and tokens are kept. */
  public void stopService() {
    vault.stop();
  }

  /** Listens again on the same port. */
  public void startService() throws IOException {
    vault.start();
  }

  @Override
  public void close() {
    vault.close();
  }
}
