package io.secretsbroker.core.audit;

import io.secretsbroker.core.state.StateSettings;
import java.nio.file.Path;

/** {@link AuditLogContract} on the embedded H2 state database. */
class AuditLogTest extends AuditLogContract {
  @Override
  StateSettings stateSettings(Path dataDir) {
    return StateSettings.h2(dataDir);
  }
}
