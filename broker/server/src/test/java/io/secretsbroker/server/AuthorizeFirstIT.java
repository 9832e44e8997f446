package io.secretsbroker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.secretsbroker.proto.v1.CreateTokenRequest;
import io.secretsbroker.proto.v1.ListRevocationsRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.RevocationServiceGrpc;
import io.secretsbroker.proto.v1.RevokeSecretVersionRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization comes before any backend call: a caller without create or update on a name is refused without the
 * backend being asked whether the secret exists, so the answer is the same for an existing and an absent secret;
 * listings return only the names the caller may list.
 */
class AuthorizeFirstIT {
  private static final Pattern DESCRIBE_CALLS = Pattern.compile(
      "secrets_backend_call_seconds_count\\{[^}]*operation=\"describe\"[^}]*\\} ([0-9.E]+)");

  @TempDir
  Path tmp;

  private static double describeCalls(String metrics) {
    double n = 0;
    Matcher m = DESCRIBE_CALLS.matcher(metrics);
    while (m.find()) {
      n += Double.parseDouble(m.group(1));
    }
    return n;
  }

  @Test
  void aCallerWithoutWriteCapabilities_isRefusedBeforeTheBackendIsAsked_existingOrNot() throws Exception {
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("reader.hcl"), """
        path "secret/data/trading/*" { capabilities = ["read"] }
        path "secret/metadata/" { capabilities = ["list"] }
        path "secret/metadata/payments/*" { capabilities = ["list"] }
        """);
    try (TestBroker broker = TestBroker.start(tmp.resolve("data"), """
        policies:
          dir: "%s"
        auth:
          root-token-file: "%s"
        """.formatted(policies, tmp.resolve("data/root-token")), Clock.systemUTC())) {
      String root = broker.rootToken();
      var asRoot = broker.secrets(root);
      for (String name : new String[] {"trading/db", "payments/api-key"}) {
        asRoot.putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8("v1")).build());
        asRoot.putSecret(PutSecretRequest.newBuilder().setName(name).setValue(ByteString.copyFromUtf8("v2")).build());
        broker.revocation(root).revokeSecretVersion(RevokeSecretVersionRequest.newBuilder().setName(name)
            .setVersion("1").setReason("test").build());
      }
      String readerToken = broker.admin(root).createToken(CreateTokenRequest.newBuilder().setPrincipal("reader")
          .addPolicies("reader").build()).getToken();
      var reader = broker.secrets(readerToken);

      double before = describeCalls(broker.scrapeMetrics());
      StatusRuntimeException existing = refused(() -> reader.putSecret(PutSecretRequest.newBuilder()
          .setName("trading/db").setValue(ByteString.copyFromUtf8("x")).build()));
      StatusRuntimeException absent = refused(() -> reader.putSecret(PutSecretRequest.newBuilder()
          .setName("trading/absent").setValue(ByteString.copyFromUtf8("x")).build()));
      assertThat(describeCalls(broker.scrapeMetrics())).as("backend describe calls").isEqualTo(before);
      assertThat(existing.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(absent.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(existing.getStatus().getDescription().replace("trading/db", "N"))
          .isEqualTo(absent.getStatus().getDescription().replace("trading/absent", "N"));

      RevocationServiceGrpc.RevocationServiceBlockingStub revocations = broker.revocation(readerToken);
      assertThat(revocations.listRevocations(ListRevocationsRequest.getDefaultInstance()).getRevocationsList())
          .extracting(r -> r.getName()).containsExactly("payments/api-key");
    }
  }

  private static StatusRuntimeException refused(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a refusal");
  }
}
