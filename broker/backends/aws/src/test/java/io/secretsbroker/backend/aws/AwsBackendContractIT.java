package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.BackendContext;
import io.secretsbroker.spi.BackendProvider;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.testkit.SecretBackendContract;
import java.time.Clock;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs the backend contract against moto, through the provider found by {@link ServiceLoader} and the SDK's default
 * credentials chain, with a name-prefix so that the name mapping is on every path. The outage is a loopback proxy
 * between the SDK and moto that the test closes and reopens, so moto keeps the data written before.
 */
class AwsBackendContractIT extends SecretBackendContract {
  private static MotoServer moto;
  private static TcpProxy proxy;

  @BeforeAll
  static void startMoto() throws Exception {
    AwsTestSupport.useDummyCredentials();
    moto = MotoServer.start();
    proxy = TcpProxy.start(moto.port());
  }

  @AfterAll
  static void stopMoto() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Override
  protected SecretBackend createBackend() {
    BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.kind().equals("aws"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no BackendProvider of kind aws registered"));
    return provider.create(new BackendContext("payments/",
        AwsTestSupport.settings("endpoint", proxy.url(), "timeout", "5s", "name-prefix", "contract/"),
        null, null, Clock.systemUTC()));
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() throws Exception {
    proxy.stop();
  }

  @Override
  protected void startService() throws Exception {
    proxy.restart();
  }
}
