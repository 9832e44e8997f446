package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.CheckAccessRequest;
import io.secretsbroker.proto.v1.CheckAccessResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AdminService.CheckAccess through a real daemon: capability validation, and policies written in
 * Vault's JSON syntax and with Vault's LIST rule, loaded from the policy folder.
 */
class CheckAccessIT {
  @TempDir
  Path tmp;
  TestBroker broker;
  String root;

  @BeforeEach
  void start() throws Exception {
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("trading.json"), """
        {"path": {
          "secret/data/trading/*": {"capabilities": ["read"]},
          "secret/metadata/+": {"capabilities": ["list"]}
        }}
        """);
    String yaml = """
        auth:
          root-token-file: %s
          bindings:
            - principal: "svc-trading"
              policies: [trading]
        policies:
          dir: %s
        """.formatted(tmp.resolve("data").resolve("root-token"), policies);
    broker = TestBroker.start(tmp.resolve("data"), yaml, Clock.systemUTC());
    root = broker.rootToken();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private CheckAccessResponse check(String capability, String name) {
    return broker.admin(root).checkAccess(CheckAccessRequest.newBuilder()
        .setPrincipal("svc-trading").setCapability(capability).setName(name).build());
  }

  @ParameterizedTest(name = "capability \"{0}\"")
  @ValueSource(strings = {"deny", "raed", "READ", "", "sudo", "patch", "root"})
  void capabilityNoRequestAsksFor_isInvalidArgument_namingTheField(String capability) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> check(capability, "trading/db"));

    assertThat(e).as("accepted capability " + capability).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("capability: must be one of read, list, create, update, delete,"
        + " rotate, revoke, audit");
  }

  @Test
  void deny_isExplainedAsARuleNotARequest() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> check("deny", "trading/db"));

    assertThat(e.getStatus().getDescription()).contains("\"deny\" is a policy rule");
  }

  @Test
  void jsonPolicyFromTheFolder_decides() {
    CheckAccessResponse read = check("read", "trading/db");

    assertThat(read.getAllowed()).isTrue();
    assertThat(read.getMatchedPattern()).isEqualTo("secret/data/trading/*");
    assertThat(read.getPoliciesList()).containsExactly("trading");
  }

  @Test
  void listOfAFolderPrefix_isAllowedByAPlusRuleWithoutTheSlash_asInVault() {
    // LIST secret/metadata/trading/ also tries secret/metadata/trading, which "secret/metadata/+" matches.
    CheckAccessResponse list = check("list", "trading/");

    assertThat(list.getAllowed()).isTrue();
    assertThat(list.getPolicyPath()).isEqualTo("secret/metadata/trading/");
    assertThat(list.getMatchedPattern()).isEqualTo("secret/metadata/+");
  }
}
