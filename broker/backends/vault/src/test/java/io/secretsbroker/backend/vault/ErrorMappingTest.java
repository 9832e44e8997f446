package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.spi.ErrorCode;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

  @Test
  void vaultStatuses_mapToTheBrokersCodes() {
    assertThat(KvClient.codeFor(404, "")).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(KvClient.codeFor(404, "no handler for route \"kv/data/x\". route entry not found."))
        .as("a wrong mount is not an absent secret").isEqualTo(ErrorCode.INTERNAL);
    assertThat(KvClient.codeFor(400, "check-and-set parameter did not match the current version"))
        .isEqualTo(ErrorCode.CONFLICT);
    assertThat(KvClient.codeFor(400, "no data provided")).isEqualTo(ErrorCode.INTERNAL);
    assertThat(KvClient.codeFor(401, "")).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(KvClient.codeFor(403, "permission denied")).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(KvClient.codeFor(412, "")).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(KvClient.codeFor(429, "")).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(KvClient.codeFor(500, "")).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(KvClient.codeFor(502, "")).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(KvClient.codeFor(503, "Vault is sealed")).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(KvClient.codeFor(405, "")).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void retryableCodes_areExactlyThrottlingAndUnavailability() {
    assertThat(KvClient.codeFor(429, "").retryable()).isTrue();
    assertThat(KvClient.codeFor(503, "").retryable()).isTrue();
    assertThat(KvClient.codeFor(403, "").retryable()).isFalse();
    assertThat(KvClient.codeFor(400, "check-and-set parameter did not match").retryable()).isFalse();
  }
}
