package io.secretsbroker.testkit;

import io.secretsbroker.spi.SecretBackend;

/** The in-memory test backend keeps the same contract as the real ones. */
class InMemoryBackendContractTest extends SecretBackendContract {
  private InMemoryBackend memory;

  @Override
  protected SecretBackend createBackend() {
    memory = new InMemoryBackend(new FakeClock());
    return memory;
  }

  @Override
  protected boolean supportsOutage() {
    return true;
  }

  @Override
  protected void stopService() {
    memory.failWith(io.secretsbroker.spi.ErrorCode.UNAVAILABLE);
  }

  @Override
  protected void startService() {
    memory.failWith(null);
  }
}
