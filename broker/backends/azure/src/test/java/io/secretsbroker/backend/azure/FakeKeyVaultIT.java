package io.secretsbroker.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves {@link FakeKeyVault} rejects what Key Vault rejects and answers in Key Vault's shapes, by speaking raw
 * HTTPS to it; the fake is only worth something if it is this strict.
 */
class FakeKeyVaultIT {
  private static final String V = "?api-version=7.6";
  private static TestPki pki;
  private static FakeKeyVault fake;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("fake test CA");
    fake = new FakeKeyVault(pki.serverContext()).start();
    http = HttpClient.newBuilder().sslContext(pki.clientContext()).version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  private static HttpResponse<String> send(String method, String pathAndQuery, String body, boolean auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.url() + pathAndQuery))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (auth) {
      b.header("Authorization", "Bearer " + FakeKeyVault.TOKEN);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String method, String pathAndQuery, String body)
      throws IOException, InterruptedException {
    return send(method, pathAndQuery, body, true);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(HttpResponse<String> response) throws IOException {
    try (JsonReader reader = JsonProviders.createReader(response.body())) {
      reader.nextToken();
      return (Map<String, Object>) reader.readUntyped();
    }
  }

  @SuppressWarnings("unchecked")
  private static String errorCode(HttpResponse<String> response) throws IOException {
    return (String) ((Map<String, Object>) json(response).get("error")).get("code");
  }

  @Test
  void requestWithoutToken_getsKeyVaultsChallenge() throws Exception {
    HttpResponse<String> r = send("PUT", "/secrets/x" + V, "", false);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).contains(
        "Bearer authorization=\"https://login.windows.net/" + FakeKeyVault.TENANT
            + "\", resource=\"https://vault.azure.net\"");
    assertThat(errorCode(r)).isEqualTo("Unauthorized");
    assertThat(fake.names()).doesNotContain("x");
  }

  @Test
  void wrongToken_isUnauthorized() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(fake.url() + "/secrets" + V))
        .header("Authorization", "Bearer forged").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(delimiter = '|', value = {
      "GET|/secrets/x/versions||400",
      "GET|/secrets/x/versions?api-version=2015-06-01||400",
      "GET|/secrets/x/versions?api-version=7.6&filter=1||400",
      "GET|/secrets/x/versions?api-version=7.6&maxresults=26||400",
      "GET|/secret/x?api-version=7.6||400",
      "GET|/secrets/bad_name/versions?api-version=7.6||400",
      "PUT|/secrets/x?api-version=7.6|{\"val\":\"v\"}|400",
      "PUT|/secrets/x?api-version=7.6|{\"value\":1}|400",
      "PUT|/secrets/x?api-version=7.6|not json|400",
      "PUT|/secrets/x?api-version=7.6|{\"value\":\"v\",\"extra\":true}|400",
      "PUT|/secrets/x?api-version=7.6|{\"value\":\"v\",\"attributes\":{\"created\":1}}|400",
      "PUT|/secrets/x?api-version=7.6|{\"value\":\"v\",\"tags\":{\"a\":1}}|400",
      "POST|/secrets/x?api-version=7.6|{\"value\":\"v\"}|405",
      "GET|/secrets/x/00000000000000000000000000000000?api-version=7.6||404",
      "DELETE|/deletedsecrets/x?api-version=7.6||404",
  })
  void malformedOrUnknownRequests_areRejected(String method, String path, String body, int status)
      throws Exception {
    HttpResponse<String> r = send(method, path, body);
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(json(r)).containsKey("error");
  }

  @Test
  void rejectedRequests_areRecordedAsViolations() throws Exception {
    int before = fake.violations().size();
    send("GET", "/secrets/x/versions", null);
    assertThat(fake.violations()).hasSize(before + 1);
    assertThat(fake.violations().get(before)).contains("api-version");
  }

  @Test
  void nameOf128Characters_valueOver25KB_and16Tags_areRejected() throws Exception {
    assertThat(send("PUT", "/secrets/" + "a".repeat(128) + V, "{\"value\":\"v\"}").statusCode()).isEqualTo(400);
    assertThat(send("PUT", "/secrets/big" + V, "{\"value\":\"" + "a".repeat(25_601) + "\"}").statusCode())
        .isEqualTo(400);
    StringBuilder tags = new StringBuilder("{");
    for (int i = 0; i < 16; i++) {
      tags.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
    }
    assertThat(send("PUT", "/secrets/tagged" + V, "{\"value\":\"v\",\"tags\":" + tags + "}}").statusCode())
        .isEqualTo(400);
    assertThat(send("PUT", "/secrets/big" + V, "{\"value\":\"" + "a".repeat(25_600) + "\"}").statusCode())
        .isEqualTo(200);
  }

  @Test
  @SuppressWarnings("unchecked")
  void setAndGet_answerKeyVaultsJsonShapes_andNamesIgnoreCase() throws Exception {
    HttpResponse<String> set = send("PUT", "/secrets/MyShape" + V,
        "{\"value\":\"v1\",\"contentType\":\"text/plain\",\"tags\":{\"k\":\"x\"},\"attributes\":{\"enabled\":true}}");
    assertThat(set.statusCode()).isEqualTo(200);
    Map<String, Object> bundle = json(set);
    assertThat(bundle).containsEntry("value", "v1").containsEntry("contentType", "text/plain")
        .containsEntry("tags", Map.of("k", "x"));
    assertThat((String) bundle.get("id")).matches("https://127\\.0\\.0\\.1:\\d+/secrets/MyShape/[0-9a-f]{32}");
    assertThat((Map<String, Object>) bundle.get("attributes"))
        .containsKeys("enabled", "created", "updated", "recoveryLevel");

    HttpResponse<String> latest = send("GET", "/secrets/myshape/" + V, null);
    assertThat(latest.statusCode()).isEqualTo(200);
    assertThat(json(latest)).containsEntry("value", "v1").containsEntry("id", bundle.get("id"));

    HttpResponse<String> missing = send("GET", "/secrets/nothing-here/" + V, null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(errorCode(missing)).isEqualTo("SecretNotFound");
  }

  @Test
  @SuppressWarnings("unchecked")
  void versionLists_pageByNextLink_withoutValues() throws Exception {
    for (int i = 0; i < 3; i++) {
      send("PUT", "/secrets/paged" + V, "{\"value\":\"v" + i + "\"}");
    }
    Map<String, Object> first = json(send("GET", "/secrets/paged/versions" + V + "&maxresults=2", null));
    List<Map<String, Object>> items = (List<Map<String, Object>>) first.get("value");
    assertThat(items).hasSize(2).allSatisfy(item -> assertThat(item).doesNotContainKey("value").containsKey("id"));
    String next = (String) first.get("nextLink");
    assertThat(next).startsWith(fake.url() + "/secrets/paged/versions?api-version=7.6&$skiptoken=");

    Map<String, Object> second = json(send("GET", next.substring(fake.url().length()), null));
    assertThat((List<Object>) second.get("value")).hasSize(1);
    assertThat(second.get("nextLink")).isNull();
  }

  @Test
  void softDeletedName_staysTakenUntilPurged() throws Exception {
    send("PUT", "/secrets/gone" + V, "{\"value\":\"v\"}");
    assertThat(send("DELETE", "/secrets/gone" + V, null).statusCode()).isEqualTo(200);

    HttpResponse<String> reuse = send("PUT", "/secrets/gone" + V, "{\"value\":\"v2\"}");
    assertThat(reuse.statusCode()).isEqualTo(409);
    assertThat(reuse.body()).contains("ObjectIsDeletedButRecoverable");
    assertThat(json(send("GET", "/deletedsecrets/gone" + V, null))).containsKeys("recoveryId", "deletedDate");

    assertThat(send("DELETE", "/deletedsecrets/gone" + V, null).statusCode()).isEqualTo(204);
    assertThat(send("PUT", "/secrets/gone" + V, "{\"value\":\"v2\"}").statusCode()).isEqualTo(200);
  }
}
