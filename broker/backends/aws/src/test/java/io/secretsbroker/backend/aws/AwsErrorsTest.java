package io.secretsbroker.backend.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.backend.aws.AwsErrors.Op;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class AwsErrorsTest {
  private static final String AWS_MESSAGE = "AWS says: value hunter2 rejected";

  private static AwsServiceException service(int status, String code) {
    return AwsServiceException.builder()
        .statusCode(status)
        .message(AWS_MESSAGE)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(AWS_MESSAGE).build())
        .build();
  }

  private static BackendException classify(Throwable t, Op op) {
    return AwsErrors.classify(t, AwsErrors.secret("team/db"), op);
  }

  @ParameterizedTest(name = "HTTP {0} {1} on {2} is {3}")
  @CsvSource({
      "400, ThrottlingException,         OTHER, RESOURCE_EXHAUSTED",
      "429, Whatever,                    OTHER, RESOURCE_EXHAUSTED",
      "400, LimitExceededException,      WRITE, RESOURCE_EXHAUSTED",
      "400, AccessDeniedException,       OTHER, PERMISSION_DENIED",
      "403, SomethingNew,                OTHER, PERMISSION_DENIED",
      "401, SomethingNew,                WRITE, PERMISSION_DENIED",
      "400, ExpiredTokenException,       OTHER, PERMISSION_DENIED",
      "400, EncryptionFailure,           WRITE, PERMISSION_DENIED",
      "500, InternalServiceError,        OTHER, UNAVAILABLE",
      "503, SomethingNew,                WRITE, UNAVAILABLE",
      "400, ResourceNotFoundException,   OTHER, NOT_FOUND",
      "400, ResourceExistsException,     WRITE, CONFLICT",
      "400, InvalidRequestException,     OTHER, NOT_FOUND",
      "400, InvalidRequestException,     WRITE, CONFLICT",
      "400, InvalidParameterException,   WRITE, INVALID_ARGUMENT",
      "400, ValidationException,         OTHER, INVALID_ARGUMENT",
      "400, SomethingNew,                OTHER, INTERNAL",
      "404, SomethingNew,                OTHER, INTERNAL",
  })
  void serviceErrors_mapByStatusAndCode(int status, String code, Op op, ErrorCode expected) {
    BackendException e = classify(service(status, code), op);

    assertThat(e.code()).isEqualTo(expected);
    assertThat(e.getMessage()).contains("secret 'team/db'").doesNotContain("hunter2").doesNotContain("AWS says");
    assertThat(e.getCause()).isInstanceOf(AwsServiceException.class);
  }

  @Test
  void typedSdkException_isClassifiedByItsCode() {
    ResourceNotFoundException e = ResourceNotFoundException.builder().statusCode(400).message(AWS_MESSAGE)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceNotFoundException").build()).build();
    assertThat(classify(e, Op.OTHER).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void connectionRefusedAndSocketTimeout_areUnavailable() {
    SdkClientException refused = SdkClientException.builder().message("Unable to execute HTTP request")
        .cause(new ConnectException("Connection refused")).build();
    SdkClientException slow = SdkClientException.builder().message("read timed out")
        .cause(new SocketTimeoutException("Read timed out")).build();

    assertThat(classify(refused, Op.OTHER).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(classify(slow, Op.WRITE).code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void apiCallTimeouts_areUnavailable() {
    assertThat(classify(ApiCallTimeoutException.create(Duration.ofSeconds(10).toMillis()), Op.OTHER).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(classify(ApiCallAttemptTimeoutException.create(Duration.ofSeconds(10).toMillis()), Op.OTHER).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void clientFailureWithoutIo_isInternal_withASafeMessage() {
    SdkClientException e = SdkClientException.create("Unable to load credentials: key AKIA... secret xyz");
    BackendException b = classify(e, Op.OTHER);
    assertThat(b.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(b.getMessage()).doesNotContain("AKIA").doesNotContain("xyz");
  }

  @Test
  void unsafeErrorCode_isNotEchoed() {
    BackendException b = classify(service(400, "<script>hunter2</script>"), Op.OTHER);
    assertThat(b.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(b.getMessage()).contains("unknown").doesNotContain("hunter2");
  }

  @Test
  void backendException_passesThrough() {
    BackendException original = BackendException.conflict("x");
    assertThat(classify(original, Op.WRITE)).isSameAs(original);
  }
}
