package io.secretsbroker.backend.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import org.junit.jupiter.api.Test;

class VaultNamesTest {

  @Test
  void brokerNames_mapToVaultPathsUnchanged() {
    assertThat(VaultBackend.checkName("team.a/svc_1/db-pass.word")).isEqualTo("team.a/svc_1/db-pass.word");
    assertThat(VaultBackend.checkName("...")).isEqualTo("...");
  }

  @Test
  void dotSegments_cannotBeStored() {
    for (String name : new String[] {".", "..", "a/./b", "a/.."}) {
      assertThatThrownBy(() -> VaultBackend.checkName(name)).as(name)
          .isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains("cannot be stored in Vault");
          });
    }
  }

  @Test
  void versionIds_areCanonicalPositiveNumbers() {
    assertThat(VaultBackend.parseVersion("7")).isEqualTo(7);
    for (String bad : new String[] {"0", "-1", "07", "+7", "seven", "", "99999999999999999999"}) {
      assertThat(VaultBackend.parseVersion(bad)).as(bad).isZero();
    }
  }

  @Test
  void pageToken_roundTripsTheLastName() {
    String token = VaultBackend.encodePageToken("team/db");
    assertThat(token).doesNotContain("/");
    assertThat(VaultBackend.decodePageToken("team/", token)).isEqualTo("team/db");
    assertThat(VaultBackend.decodePageToken("team/", "")).isNull();
  }

  @Test
  void foreignOrTamperedPageToken_isInvalidArgument() {
    String other = VaultBackend.encodePageToken("other/db");
    for (String token : new String[] {other, "%%%", VaultBackend.encodePageToken("team/a/../b")}) {
      assertThatThrownBy(() -> VaultBackend.decodePageToken("team/", token)).as(token)
          .isInstanceOfSatisfying(BackendException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }
}
