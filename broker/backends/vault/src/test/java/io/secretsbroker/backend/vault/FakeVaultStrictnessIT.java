package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the fake is worth testing against: raw HTTP requests get Vault's statuses, error bodies and envelopes, and
 * requests Vault refuses are refused.
 */
class FakeVaultStrictnessIT {
  private static final String TOKEN = "hvs.strict-root";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static FakeVault fake;

  @BeforeAll
  static void start() throws Exception {
    fake = FakeVault.start("secret").addToken(TOKEN).addToken("hvs.read-only", (op, path) -> op.equals("read"))
        .addAppRole("approle", "role-1", "secret-1").addKubernetesRole("kubernetes", "broker", "jwt-1");
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  private record Answer(int status, JsonNode body) {
    String errors() {
      return body == null ? null : body.path("errors").toString();
    }
  }

  private static Answer call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.address() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), r.body().length == 0 ? null : JSON.readTree(r.body()));
  }

  private static Answer call(String method, String path, String body) throws Exception {
    return call(method, path, TOKEN, body);
  }

  @Test
  void requestWithoutToken_isPermissionDenied() throws Exception {
    Answer a = call("GET", "/v1/secret/data/x", null, null);
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.errors()).isEqualTo("[\"permission denied\"]");
  }

  @Test
  void requestWithUnknownToken_isPermissionDenied() throws Exception {
    assertThat(call("GET", "/v1/secret/metadata/x", "hvs.made-up", null).status()).isEqualTo(403);
  }

  @Test
  void tokenPolicy_isEnforced() throws Exception {
    Answer a = call("POST", "/v1/secret/data/x", "hvs.read-only", "{\"data\":{\"value\":\"v\"}}");
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.errors()).contains("permission denied");
  }

  @Test
  void unknownMount_hasNoHandler() throws Exception {
    Answer a = call("GET", "/v1/kv/data/x", null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.errors()).contains("no handler for route");
  }

  @Test
  void kvVersionOnePath_onAVersionTwoMount_isRefused() throws Exception {
    Answer a = call("GET", "/v1/secret/x", null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.errors()).contains("Invalid path for a versioned K/V secrets engine");
  }

  @Test
  void readOfMissingSecret_is404WithEmptyErrors() throws Exception {
    Answer a = call("GET", "/v1/secret/data/missing", null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.body().toString()).isEqualTo("{\"errors\":[]}");
    assertThat(call("GET", "/v1/secret/metadata/missing", null).body().toString()).isEqualTo("{\"errors\":[]}");
  }

  @Test
  void write_thenRead_useVaultsEnvelope() throws Exception {
    Answer w = call("POST", "/v1/secret/data/env", "{\"data\":{\"value\":\"v1\"}}");
    assertThat(w.status()).isEqualTo(200);
    assertThat(w.body().path("data").path("version").asLong()).isEqualTo(1);
    assertThat(w.body().path("data").has("created_time")).isTrue();
    assertThat(w.body().has("request_id")).isTrue();

    Answer r = call("GET", "/v1/secret/data/env", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("data").path("data").path("value").asText()).isEqualTo("v1");
    JsonNode meta = r.body().path("data").path("metadata");
    assertThat(meta.path("version").asLong()).isEqualTo(1);
    assertThat(meta.path("deletion_time").asText()).isEmpty();
    assertThat(meta.path("destroyed").asBoolean()).isFalse();
    assertThat(meta.get("custom_metadata").isNull()).isTrue();
    assertThat(r.body().path("lease_id").asText()).isEmpty();
  }

  @Test
  void writeWithoutData_isNoDataProvided() throws Exception {
    Answer a = call("POST", "/v1/secret/data/nodata", "{\"options\":{}}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errors()).isEqualTo("[\"no data provided\"]");
  }

  @Test
  void malformedJson_isRefused() throws Exception {
    Answer a = call("POST", "/v1/secret/data/bad", "{\"data\":");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errors()).contains("failed to parse JSON input");
  }

  @Test
  void unknownBodyFieldOrQueryParameter_isRefused() throws Exception {
    assertThat(call("POST", "/v1/secret/data/f", "{\"data\":{},\"option\":{\"cas\":0}}").status()).isEqualTo(400);
    assertThat(call("POST", "/v1/secret/metadata/f", "{\"custom-metadata\":{}}").status()).isEqualTo(400);
    assertThat(call("GET", "/v1/secret/data/f?ver=1", null).status()).isEqualTo(400);
  }

  @Test
  void checkAndSet_followsKvSemantics() throws Exception {
    assertThat(call("POST", "/v1/secret/data/cas", "{\"data\":{\"v\":\"1\"},\"options\":{\"cas\":1}}").status())
        .as("cas=1 on a missing secret").isEqualTo(400);
    assertThat(call("POST", "/v1/secret/data/cas", "{\"data\":{\"v\":\"1\"},\"options\":{\"cas\":0}}").status())
        .as("cas=0 creates").isEqualTo(200);
    Answer again = call("POST", "/v1/secret/data/cas", "{\"data\":{\"v\":\"2\"},\"options\":{\"cas\":0}}");
    assertThat(again.status()).as("cas=0 on an existing secret").isEqualTo(400);
    assertThat(again.errors()).isEqualTo("[\"" + FakeVault.CAS_MISMATCH + "\"]");
    assertThat(call("POST", "/v1/secret/data/cas", "{\"data\":{\"v\":\"2\"},\"options\":{\"cas\":1}}").status())
        .isEqualTo(200);
    assertThat(call("POST", "/v1/secret/data/cas", "{\"data\":{},\"options\":{\"cas\":\"x\"}}").errors())
        .contains("error parsing check-and-set parameter");
  }

  @Test
  void readByVersion_andVersionParameterMustBeAnInteger() throws Exception {
    call("POST", "/v1/secret/data/ver", "{\"data\":{\"v\":\"1\"}}");
    call("POST", "/v1/secret/data/ver", "{\"data\":{\"v\":\"2\"}}");
    assertThat(call("GET", "/v1/secret/data/ver?version=1", null).body().path("data").path("data").path("v")
        .asText()).isEqualTo("1");
    assertThat(call("GET", "/v1/secret/data/ver?version=9", null).status()).isEqualTo(404);
    Answer bad = call("GET", "/v1/secret/data/ver?version=abc", null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errors()).contains("error converting input abc for field \\\"version\\\"");
  }

  @Test
  void softDeletedAndDestroyedVersions_are404WithTheirMetadata() throws Exception {
    call("POST", "/v1/secret/data/del", "{\"data\":{\"v\":\"1\"}}");
    call("POST", "/v1/secret/data/del", "{\"data\":{\"v\":\"2\"}}");
    assertThat(call("POST", "/v1/secret/delete/del", "{\"versions\":[1]}").status()).isEqualTo(204);
    assertThat(call("POST", "/v1/secret/destroy/del", "{\"versions\":[2]}").status()).isEqualTo(204);

    Answer deleted = call("GET", "/v1/secret/data/del?version=1", null);
    assertThat(deleted.status()).isEqualTo(404);
    assertThat(deleted.body().path("data").get("data").isNull()).isTrue();
    assertThat(deleted.body().path("data").path("metadata").path("deletion_time").asText()).isNotEmpty();
    Answer destroyed = call("GET", "/v1/secret/data/del?version=2", null);
    assertThat(destroyed.status()).isEqualTo(404);
    assertThat(destroyed.body().path("data").path("metadata").path("destroyed").asBoolean()).isTrue();

    assertThat(call("POST", "/v1/secret/undelete/del", "{\"versions\":[1]}").status()).isEqualTo(204);
    assertThat(call("GET", "/v1/secret/data/del?version=1", null).status()).isEqualTo(200);
    assertThat(call("POST", "/v1/secret/delete/del", "{}").errors()).contains("no version number provided");
  }

  @Test
  void dataPathWithTrailingSlash_isUnsupported() throws Exception {
    assertThat(call("GET", "/v1/secret/data/folder/", null).status()).isEqualTo(404);
    assertThat(call("LIST", "/v1/secret/data/folder", null).status()).isEqualTo(405);
  }

  @Test
  void metadata_customMetadataIsValidatedLikeVault() throws Exception {
    call("POST", "/v1/secret/data/cm", "{\"data\":{\"v\":\"1\"}}");
    assertThat(call("POST", "/v1/secret/metadata/cm", "{\"custom_metadata\":{\"k\":\"\"}}").errors())
        .contains("custom_metadata validation failed");
    assertThat(call("POST", "/v1/secret/metadata/cm", "{\"custom_metadata\":{\"k\":1}}").status())
        .isEqualTo(400);
    StringBuilder many = new StringBuilder("{\"custom_metadata\":{");
    for (int i = 0; i < 65; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    assertThat(call("POST", "/v1/secret/metadata/cm", many + "}}").errors()).contains("at most 64 keys");
    assertThat(call("POST", "/v1/secret/metadata/cm", "{\"custom_metadata\":{\"a\":\"1\"}}").status())
        .isEqualTo(204);
    assertThat(call("POST", "/v1/secret/metadata/cm", "{\"custom_metadata\":{\"b\":\"2\"}}").status())
        .isEqualTo(204);

    JsonNode meta = call("GET", "/v1/secret/metadata/cm", null).body().path("data");
    assertThat(meta.path("custom_metadata").toString()).as("a metadata write replaces the whole map")
        .isEqualTo("{\"b\":\"2\"}");
    assertThat(meta.path("current_version").asLong()).isEqualTo(1);
    assertThat(meta.path("versions").path("1").has("created_time")).isTrue();
    assertThat(call("GET", "/v1/secret/data/cm", null).body().path("data").path("metadata")
        .path("custom_metadata").toString()).isEqualTo("{\"b\":\"2\"}");
  }

  @Test
  void list_isOneLevelDeep_viaListMethodOrQueryParameter() throws Exception {
    call("POST", "/v1/secret/data/lst/a", "{\"data\":{}}");
    call("POST", "/v1/secret/data/lst/b/c", "{\"data\":{}}");
    Answer viaMethod = call("LIST", "/v1/secret/metadata/lst/", null);
    assertThat(viaMethod.status()).isEqualTo(200);
    assertThat(viaMethod.body().path("data").path("keys").toString()).isEqualTo("[\"a\",\"b/\"]");
    assertThat(call("GET", "/v1/secret/metadata/lst/?list=true", null).body().path("data").path("keys").size())
        .isEqualTo(2);
    assertThat(call("LIST", "/v1/secret/metadata/nothing-here/", null).body().toString())
        .isEqualTo("{\"errors\":[]}");
  }

  @Test
  void metadataDelete_removesEverything_andIsIdempotent() throws Exception {
    call("POST", "/v1/secret/data/gone", "{\"data\":{}}");
    assertThat(call("DELETE", "/v1/secret/metadata/gone", null).status()).isEqualTo(204);
    assertThat(call("GET", "/v1/secret/metadata/gone", null).status()).isEqualTo(404);
    assertThat(call("DELETE", "/v1/secret/metadata/gone", null).status()).isEqualTo(204);
    Answer recreated = call("POST", "/v1/secret/data/gone", "{\"data\":{}}");
    assertThat(recreated.body().path("data").path("version").asLong()).isEqualTo(1);
  }

  @Test
  void appRoleLogin_checksItsCredentials() throws Exception {
    assertThat(call("POST", "/v1/auth/approle/login", null, "{\"role_id\":\"role-1\",\"secret_id\":\"nope\"}")
        .errors()).isEqualTo("[\"invalid role or secret ID\"]");
    assertThat(call("POST", "/v1/auth/approle/login", null, "{\"secret_id\":\"secret-1\"}").errors())
        .isEqualTo("[\"missing role_id\"]");
    Answer ok = call("POST", "/v1/auth/approle/login", null, "{\"role_id\":\"role-1\",\"secret_id\":\"secret-1\"}");
    assertThat(ok.status()).isEqualTo(200);
    String token = ok.body().path("auth").path("client_token").asText();
    assertThat(ok.body().path("auth").path("lease_duration").asLong()).isEqualTo(3600);
    assertThat(call("GET", "/v1/secret/metadata/anything", token, null).status()).isEqualTo(404);
  }

  @Test
  void kubernetesLogin_checksRoleAndJwt() throws Exception {
    assertThat(call("POST", "/v1/auth/kubernetes/login", null, "{\"role\":\"broker\",\"jwt\":\"wrong\"}").status())
        .isEqualTo(403);
    assertThat(call("POST", "/v1/auth/kubernetes/login", null, "{\"role\":\"nobody\",\"jwt\":\"jwt-1\"}").errors())
        .contains("invalid role name");
    assertThat(call("POST", "/v1/auth/kubernetes/login", null, "{\"role\":\"broker\"}").errors())
        .isEqualTo("[\"missing jwt\"]");
    assertThat(call("POST", "/v1/auth/kubernetes/login", null, "{\"role\":\"broker\",\"jwt\":\"jwt-1\"}").body()
        .path("auth").path("client_token").asText()).startsWith("hvs.");
  }

  @Test
  void health_needsNoToken_andReportsSeal() throws Exception {
    assertThat(call("GET", "/v1/sys/health", null, null).status()).isEqualTo(200);
    fake.sealed(true);
    try {
      assertThat(call("GET", "/v1/sys/health?standbyok=true", null, null).status()).isEqualTo(503);
      Answer sealed = call("GET", "/v1/secret/data/x", null);
      assertThat(sealed.status()).isEqualTo(503);
      assertThat(sealed.errors()).isEqualTo("[\"Vault is sealed\"]");
    } finally {
      fake.sealed(false);
    }
  }

  @Test
  void unsupportedMethod_isRefused() throws Exception {
    assertThat(call("TRACE", "/v1/secret/data/x", null).status()).isEqualTo(405);
    assertThat(call("POST", "/v1/sys/health", null, "{}").status()).isEqualTo(405);
  }

  @Test
  void stoppedFake_keepsItsDataOnTheSamePort() throws Exception {
    call("POST", "/v1/secret/data/kept", "{\"data\":{\"v\":\"1\"}}");
    int port = fake.port();
    fake.stop();
    fake.start();
    assertThat(fake.port()).isEqualTo(port);
    assertThat(call("GET", "/v1/secret/data/kept", null).body().path("data").path("data"))
        .isEqualTo(JSON.valueToTree(Map.of("v", "1")));
  }
}
