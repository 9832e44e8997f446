package io.secretsbroker.backend.aws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.testkit.FakeClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Error classification through the real SDK: a loopback fake of the Secrets Manager JSON protocol answers with a
 * chosen HTTP status and AWS error code, and the test checks the broker's code, that the SDK made exactly one
 * attempt (its retries are off), and that AWS's message text never reaches the broker's message. The fake is
 * strict: it refuses requests that are not signed Secrets Manager calls, and reads that name neither a stage nor a
 * version.
 */
@Timeout(30)
class AwsErrorMappingIT {
  private static final String LEAK = "hunter2-from-aws-message";

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status;
  private volatile String body;
  /** Answers for particular operations (by X-Amz-Target suffix), taking precedence over status and body. */
  private final Map<String, Map.Entry<Integer, String>> byOperation = new ConcurrentHashMap<>();
  private AwsBackend backend;

  @BeforeEach
  void startFake() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    AwsTestSupport.useDummyCredentials();
    String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    backend = AwsBackend.connect(AwsConfig.from(AwsTestSupport.settings("endpoint", endpoint, "timeout", "5s")),
        new FakeClock());
  }

  @AfterEach
  void stopFake() {
    backend.close();
    server.stop(0);
  }

  private void answer(int status, String errorCode) {
    this.status = status;
    this.body = error(errorCode);
  }

  private void answer(String operation, int status, String body) {
    byOperation.put(operation, Map.entry(status, body));
  }

  private static String error(String errorCode) {
    return "{\"__type\":\"" + errorCode + "\",\"message\":\"" + LEAK + "\"}";
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String request = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    var special = target == null ? null : byOperation.get(target.substring(target.indexOf('.') + 1));
    int code = special != null ? special.getKey() : status;
    String answer = special != null ? special.getValue() : body;
    if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/")
        || target == null || !target.startsWith("secretsmanager.")
        || !"application/x-amz-json-1.1".equals(type)
        || auth == null || !auth.startsWith("AWS4-HMAC-SHA256 Credential=")
        || !auth.contains("/" + AwsTestSupport.REGION + "/secretsmanager/aws4_request")) {
      code = 400;
      answer = "{\"__type\":\"FakeRejectedRequest\",\"message\":\"not a signed Secrets Manager call\"}";
    } else if (target.equals("secretsmanager.GetSecretValue")
        && !request.contains("\"VersionStage\"") && !request.contains("\"VersionId\"")) {
      code = 400;
      answer = "{\"__type\":\"FakeRejectedRequest\",\"message\":\"read without stage or version\"}";
    }
    byte[] bytes = answer.getBytes(UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private BackendException failure(Runnable call) {
    try {
      call.run();
    } catch (BackendException e) {
      return e;
    }
    throw new AssertionError("expected a BackendException");
  }

  @ParameterizedTest(name = "HTTP {0} {1} on {2} is {3}")
  @CsvSource({
      "400, ThrottlingException,        read,  RESOURCE_EXHAUSTED",
      "429, TooManyRequestsException,   read,  RESOURCE_EXHAUSTED",
      "400, LimitExceededException,     write, RESOURCE_EXHAUSTED",
      "500, InternalServiceError,       read,  UNAVAILABLE",
      "503, ServiceUnavailable,         write, UNAVAILABLE",
      "502, SomethingFromAProxy,        read,  UNAVAILABLE",
      "400, AccessDeniedException,      read,  PERMISSION_DENIED",
      "403, UnrecognizedClientException, read, PERMISSION_DENIED",
      "400, ExpiredTokenException,      write, PERMISSION_DENIED",
      "400, DecryptionFailure,          read,  PERMISSION_DENIED",
      "400, ResourceNotFoundException,  read,  NOT_FOUND",
      "400, InvalidRequestException,    read,  NOT_FOUND",
      "400, InvalidRequestException,    write, CONFLICT",
      "400, InvalidParameterException,  write, INVALID_ARGUMENT",
      "400, BrandNewException,          read,  INTERNAL",
      "404, BrandNewException,          read,  INTERNAL",
  })
  void awsError_isClassified_afterOneAttempt_withoutAwsMessage(int status, String errorCode, String op,
      ErrorCode expected) {
    answer(status, errorCode);

    BackendException e = failure(() -> {
      if (op.equals("read")) {
        backend.read(SecretRef.current("db"));
      } else {
        backend.write(WriteRequest.put("db", SecretValue.of("v".getBytes(UTF_8))));
      }
    });

    assertThat(e.code()).isEqualTo(expected);
    assertThat(requests).as("SDK attempts").hasValue(1);
    assertThat(e.getMessage()).doesNotContain(LEAK).contains("'db'");
    assertThat(backend.healthy()).isEqualTo(status < 500);
  }

  @Test
  void write_whileAwsIsStillDeletingTheName_isUnavailable() {
    answer("PutSecretValue", 400, error("ResourceNotFoundException"));
    answer("CreateSecret", 400, error("InvalidRequestException"));
    answer("DescribeSecret", 400, error("ResourceNotFoundException"));

    BackendException e = failure(() -> backend.write(WriteRequest.put("db", SecretValue.of(new byte[] {1}))));

    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(e.getMessage()).contains("still being deleted").doesNotContain(LEAK);
  }

  @Test
  void write_ofANameScheduledForDeletion_isConflict() {
    answer("PutSecretValue", 400, error("ResourceNotFoundException"));
    answer("CreateSecret", 400, error("InvalidRequestException"));
    answer("DescribeSecret", 200, "{\"Name\":\"db\",\"DeletedDate\":1.767225600E9,\"CreatedDate\":1.767225600E9}");

    BackendException e = failure(() -> backend.write(WriteRequest.put("db", SecretValue.of(new byte[] {1}))));

    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.getMessage()).contains("scheduled for deletion").doesNotContain(LEAK);
  }

  @Test
  void fake_refusesCallsThatAreNotSignedSecretsManagerCalls() throws Exception {
    answer(200, "unused");
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
            .header("X-Amz-Target", "secretsmanager.GetSecretValue")
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString("{\"SecretId\":\"db\",\"VersionStage\":\"AWSCURRENT\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("FakeRejectedRequest");
  }

  @Test
  void read_alwaysNamesTheStage_soTheFakeServesIt() {
    status = 200;
    body = "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\",\"Name\":\"db\","
        + "\"VersionId\":\"0190a3c4-1111-7000-8000-000000000001\",\"SecretString\":\"s3cr3t\","
        + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.767225600E9}";

    var read = backend.read(SecretRef.current("db"));

    assertThat(read.value().bytes()).isEqualTo("s3cr3t".getBytes(UTF_8));
    assertThat(read.info().version()).isEqualTo("0190a3c4-1111-7000-8000-000000000001");
    assertThat(requests).hasValue(1);
  }
}
