package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.policy.PolicyPaths.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyPathsTest {

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @CsvSource({
      "GET_SECRET,            trading/db, read,   secret/data/trading/db",
      "BATCH_GET_SECRETS,     trading/db, read,   secret/data/trading/db",
      "WATCH_SECRETS,         trading/db, read,   secret/data/trading/db",
      "CREATE_SECRET,         trading/db, create, secret/data/trading/db",
      "UPDATE_SECRET,         trading/db, update, secret/data/trading/db",
      "DELETE_SECRET,         trading/db, delete, secret/data/trading/db",
      "ROTATE_SECRET,         trading/db, rotate, secret/data/trading/db",
      "SET_ROTATION_POLICY,   trading/db, rotate, secret/data/trading/db",
      "REVOKE_SECRET_VERSION, trading/db, revoke, secret/data/trading/db",
      "DESCRIBE_SECRET,       trading/db, read,   secret/metadata/trading/db",
      "GET_ROTATION_STATUS,   trading/db, read,   secret/metadata/trading/db",
      "LIST_SECRETS,          trading/,   list,   secret/metadata/trading/",
      "LIST_SECRETS,          '',         list,   secret/metadata/",
      "LIST_DUE_ROTATIONS,    '',         list,   secret/metadata/",
      "LIST_REVOCATIONS,      trad,       list,   secret/metadata/trad",
      "AUDIT,                 ,           audit,  sys/audit",
      "CREATE_TOKEN,          ,           create, sys/tokens",
      "REVOKE_TOKEN,          ,           delete, sys/tokens",
      "LIST_TOKENS,           ,           list,   sys/tokens",
      "CHECK_ACCESS,          ,           read,   sys/policy",
  })
  void operation_mapsToCapabilityAndPath(Operation operation, String name, String capability, String path) {
    AccessRequest request = PolicyPaths.forOperation(operation, name);

    assertThat(request.capability().hclName()).isEqualTo(capability);
    assertThat(request.path()).isEqualTo(path);
    assertThat(operation.capability()).isEqualTo(request.capability());
    assertThat(operation.takesName()).isEqualTo(!path.startsWith("sys/"));
  }

  @Test
  void checkAccess_usesSysPathsAsIsAndMapsNames() {
    assertThat(PolicyPaths.forCheck(Capability.AUDIT, "sys/audit")).isEqualTo(new AccessRequest(Capability.AUDIT, "sys/audit"));
    assertThat(PolicyPaths.forCheck(Capability.READ, "trading/db")).isEqualTo(new AccessRequest(Capability.READ, "secret/data/trading/db"));
    assertThat(PolicyPaths.forCheck(Capability.ROTATE, "trading/db")).isEqualTo(new AccessRequest(Capability.ROTATE, "secret/data/trading/db"));
    assertThat(PolicyPaths.forCheck(Capability.LIST, "trading/")).isEqualTo(new AccessRequest(Capability.LIST, "secret/metadata/trading/"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "secret/data/trading/db,        true",
      "secret/data/trading/*,         true",
      "secret/data/*,                 true",
      "secret/data/+/db,              true",
      "secret/da*,                    true",
      "secret*,                       true",
      "*,                             true",
      "+/+/x,                         true",
      "secret/metadata/,              true",
      "secret/metadata,               true",
      "secret/metadata/trading/,      true",
      "secret/metadata/+,             true",
      "sys/audit,                     true",
      "sys/*,                         true",
      "sys/+,                         true",
      "secret/data,                   false",
      "secret/data/,                  false",
      "secret/data/trading/,          false",
      "secret/data/a//b,              false",
      "secret/data/*/db,              false",
      "secret/data/a+b,               false",
      "secret/data/my app,            false",
      "secret/data/../x,              false",
      "secret/kv/x,                   false",
      "sys/mounts,                    false",
      "sys/audit/x,                   false",
      "kv/data/x,                     false",
      "'',                            false",
  })
  void reachable_isTrueOnlyForPatternsSomeOperationChecks(String pattern, boolean reachable) {
    assertThat(PolicyPaths.reachable(pattern)).isEqualTo(reachable);
  }
}
