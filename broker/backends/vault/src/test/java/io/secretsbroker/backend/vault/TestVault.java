package io.secretsbroker.backend.vault;

import io.secretsbroker.spi.Settings;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds backends for tests from settings maps, with a fake environment instead of the process's. */
final class TestVault {
  static final String KEY_PATH = "mounts[0].backend";

  private TestVault() {}

  /** Settings for a token-authenticated backend reading its token from the fake env variable VAULT_TEST_TOKEN. */
  static Map<String, Object> tokenSettings(String address) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "vault");
    s.put("address", address);
    s.put("auth", new LinkedHashMap<>(Map.of("method", "token", "token-env", "VAULT_TEST_TOKEN")));
    return s;
  }

  /** Parses {@code settings} as {@code mounts[0].backend}. */
  static VaultConfig config(Map<String, Object> settings, Map<String, String> env) {
    return VaultConfig.parse(new Settings(KEY_PATH, settings), new HashMap<>(env)::get);
  }

  /** A backend built from {@code settings} with {@code env} as its environment. */
  static VaultBackend backend(Map<String, Object> settings, Map<String, String> env, Clock clock) {
    Map<String, String> copy = new HashMap<>(env);
    return new VaultBackend(VaultConfig.parse(new Settings(KEY_PATH, settings), copy::get), clock, copy::get);
  }

  /** A token backend against {@code fake} using {@code token}. */
  static VaultBackend tokenBackend(FakeVault fake, String token) {
    return backend(tokenSettings(fake.address()), Map.of("VAULT_TEST_TOKEN", token), Clock.systemUTC());
  }
}
