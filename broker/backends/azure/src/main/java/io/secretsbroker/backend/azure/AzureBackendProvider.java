package io.secretsbroker.backend.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.Configuration;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.SecretServiceVersion;
import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.SecretBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Creates Azure Key Vault backends ({@code type: azure}).
 *
 * <p>Config: {@code vault-url} (required, https), {@code timeout} (each HTTP request; default 10s),
 * {@code max-value-bytes} (default and ceiling 25600), {@code name-prefix} (optional). The broker authenticates
 * with {@code DefaultAzureCredential}: environment variables, workload identity, managed identity, then developer
 * logins, in Azure Identity's order. See {@code docs/backends/azure.md}.
 */
public final class AzureBackendProvider implements BackendProvider {
  /** How long to wait between checks that Key Vault finished a soft delete. */
  static final Duration DELETE_POLL_INTERVAL = Duration.ofMillis(250);

  @Override
  public String kind() {
    return AzureConfig.KIND;
  }

  @Override
  public SecretBackend create(BackendContext context) {
    AzureConfig config = AzureConfig.from(context.settings());
    return create(config, context.clock(), Transport.production());
  }

  /**
   * How the client reaches Key Vault. Production uses {@link #production()}; only tests build others, to point
   * the client at a local fake with its own CA.
   *
   * @param credential where access tokens come from
   * @param tls the TLS context to trust the server with; null for the JDK's default trust store
   * @param verifyChallengeResource whether Key Vault's authentication challenge must name a resource in the
   *     vault's own domain (the SDK's default; a fake on 127.0.0.1 cannot)
   * @param configuration where the HTTP client reads proxy settings
   * @param deletePollInterval how long to wait between checks that a soft delete finished
   */
  record Transport(TokenCredential credential, SSLContext tls, boolean verifyChallengeResource,
      Configuration configuration, Duration deletePollInterval) {
    Transport {
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(configuration, "configuration");
      Objects.requireNonNull(deletePollInterval, "deletePollInterval");
    }

    /** DefaultAzureCredential, the JDK's trust store, challenge verification on, proxies from the environment. */
    static Transport production() {
      return new Transport(new DefaultAzureCredentialBuilder().build(), null, true,
          Configuration.getGlobalConfiguration(), DELETE_POLL_INTERVAL);
    }
  }

  /** Builds a backend from checked settings and a transport. */
  static AzureBackend create(AzureConfig config, Clock clock, Transport transport) {
    return new AzureBackend(client(config, transport), config, clock, transport.deletePollInterval());
  }

  /**
   * A Key Vault client with the SDK's retries off (the broker retries), every request bounded by the
   * {@code timeout} setting, and HTTP logging off whatever the environment says (bodies hold secret values).
   */
  static SecretClient client(AzureConfig config, Transport transport) {
    java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
    if (transport.tls() != null) {
      jdk.sslContext(transport.tls());
    }
    Duration timeout = config.timeout();
    HttpClient http = new JdkHttpClientBuilder(jdk)
        .connectionTimeout(timeout)
        .writeTimeout(timeout)
        .responseTimeout(timeout)
        .readTimeout(timeout)
        .configuration(transport.configuration())
        .build();
    SecretClientBuilder builder = new SecretClientBuilder()
        .vaultUrl(config.vaultUrl().toString())
        .credential(transport.credential())
        .httpClient(http)
        .serviceVersion(SecretServiceVersion.V7_6)
        .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ZERO)))
        .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE))
        .configuration(transport.configuration());
    if (!transport.verifyChallengeResource()) {
      builder.disableChallengeResourceVerification();
    }
    return builder.buildClient();
  }
}
