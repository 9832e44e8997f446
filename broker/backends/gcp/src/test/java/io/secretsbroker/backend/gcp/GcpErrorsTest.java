package io.secretsbroker.backend.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.grpc.GrpcStatusCode;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ApiExceptionFactory;
import com.google.api.gax.rpc.StatusCode;
import io.grpc.Status;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class GcpErrorsTest {
  private static ApiException gcp(Status.Code code, String sdkMessage) {
    return ApiExceptionFactory.createException(new RuntimeException(sdkMessage), GrpcStatusCode.of(code), false);
  }

  @ParameterizedTest
  @CsvSource({
      "NOT_FOUND, NOT_FOUND",
      "ALREADY_EXISTS, CONFLICT",
      "FAILED_PRECONDITION, CONFLICT",
      "ABORTED, CONFLICT",
      "RESOURCE_EXHAUSTED, RESOURCE_EXHAUSTED",
      "UNAVAILABLE, UNAVAILABLE",
      "DEADLINE_EXCEEDED, UNAVAILABLE",
      "INTERNAL, UNAVAILABLE",
      "UNKNOWN, UNAVAILABLE",
      "CANCELLED, UNAVAILABLE",
      "PERMISSION_DENIED, PERMISSION_DENIED",
      "UNAUTHENTICATED, PERMISSION_DENIED",
      "INVALID_ARGUMENT, INTERNAL",
      "UNIMPLEMENTED, INTERNAL",
      "OUT_OF_RANGE, INTERNAL",
      "DATA_LOSS, INTERNAL"})
  void grpcCodes_mapToTheBrokersCodes(StatusCode.Code gcpCode, ErrorCode expected) {
    assertThat(GcpErrors.classify(gcpCode)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = "OK", mode = EnumSource.Mode.EXCLUDE)
  void translatedMessages_nameTheSecret_andNeverCarryTheSdkMessage(Status.Code code) {
    ApiException failure = gcp(code, "raw detail with token ya29.SECRET");
    BackendException e = GcpErrors.translate(failure, "secret 'team/db'", "read");
    assertThat(e.getMessage()).contains("secret 'team/db'").doesNotContain("ya29").doesNotContain("raw detail");
    assertThat(e.getCause()).isSameAs(failure);
  }

  @Test
  void failuresWrappedByFutures_areSeenThrough() {
    ApiException failure = gcp(Status.Code.PERMISSION_DENIED, "denied");
    BackendException e = GcpErrors.translate(new ExecutionException(failure), "secret 'db'", "read");
    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void nonGcpFailures_areInternal() {
    BackendException e = GcpErrors.translate(new IllegalStateException("boom"), "secret 'db'", "write");
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).doesNotContain("boom");
  }

  @Test
  void backendExceptions_passThroughUnchanged() {
    BackendException original = BackendException.notFound("db");
    assertThat(GcpErrors.translate(original, "secret 'db'", "read")).isSameAs(original);
  }

  @Test
  void etagMismatch_isFailedPreconditionOrAborted() {
    assertThat(GcpErrors.isEtagMismatch(gcp(Status.Code.FAILED_PRECONDITION, ""))).isTrue();
    assertThat(GcpErrors.isEtagMismatch(gcp(Status.Code.ABORTED, ""))).isTrue();
    assertThat(GcpErrors.isEtagMismatch(gcp(Status.Code.NOT_FOUND, ""))).isFalse();
  }
}
