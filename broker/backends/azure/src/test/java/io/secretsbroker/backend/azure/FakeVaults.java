package io.secretsbroker.backend.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.util.Configuration;
import io.secretsbroker.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds backends pointed at a {@link FakeKeyVault}. */
final class FakeVaults {
  private FakeVaults() {}

  /** Trusts only {@code pki}'s CA, skips the challenge's domain check (the fake is 127.0.0.1), no proxies. */
  static AzureBackendProvider.Transport transport(TestPki pki, TokenCredential credential) {
    return new AzureBackendProvider.Transport(credential, pki.clientContext(), false, Configuration.NONE,
        Duration.ofMillis(5));
  }

  /** Settings for the fake's vault plus {@code extra} ("key", value, ...). */
  static AzureConfig config(FakeKeyVault fake, Object... extra) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("type", "azure");
    values.put("vault-url", fake.url());
    values.put("timeout", "5s");
    for (int i = 0; i < extra.length; i += 2) {
      values.put((String) extra[i], extra[i + 1]);
    }
    return AzureConfig.from(new Settings("mounts[0].backend", values));
  }

  /** A backend on {@code fake} with the accepted token. */
  static AzureBackend backend(FakeKeyVault fake, TestPki pki, Object... extra) {
    return AzureBackendProvider.create(config(fake, extra), Clock.systemUTC(),
        transport(pki, TestCredential.accepted()));
  }
}
