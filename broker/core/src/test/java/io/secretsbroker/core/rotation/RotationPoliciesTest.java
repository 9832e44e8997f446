package io.secretsbroker.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.rotation.RotationPolicies.PrefixPolicy;
import io.secretsbroker.core.state.StateSettings;
import io.secretsbroker.core.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationPoliciesTest {
  private static final RotationPolicy TEAM = new RotationPolicy(Duration.ofDays(30),
      new Generator.RandomBytes(48, true), Duration.ofHours(1));
  private static final RotationPolicy TEAM_DB = new RotationPolicy(Duration.ofDays(7), new Generator.External(),
      Duration.ZERO);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  Path dir;
  StateStore state;
  RotationPolicies policies;

  @BeforeEach
  void setUp() {
    state = StateStore.open(StateSettings.h2(dir));
    policies = new RotationPolicies(state, RotationPolicy.DEFAULT,
        List.of(new PrefixPolicy("team/", TEAM), new PrefixPolicy("team/db/", TEAM_DB)));
  }

  @AfterEach
  void tearDown() {
    state.close();
  }

  @Test
  void defaults_areTheLongestMatchingPrefix_elseTheBrokerDefault() {
    assertThat(policies.policyFor("team/db/main")).isEqualTo(TEAM_DB);
    assertThat(policies.policyFor("team/api")).isEqualTo(TEAM);
    assertThat(policies.policyFor("teams")).isEqualTo(RotationPolicy.DEFAULT);
    assertThat(RotationPolicy.DEFAULT).isEqualTo(new RotationPolicy(Duration.ofDays(90),
        new Generator.Password(32, EnumSet.of(CharacterClass.LOWER, CharacterClass.UPPER, CharacterClass.DIGITS)),
        Duration.ofHours(24)));
  }

  @Test
  void override_replacesOnlyTheFieldsItSets_andPersists() {
    Generator.Password pw = new Generator.Password(20, EnumSet.of(CharacterClass.SYMBOLS, CharacterClass.LOWER));
    policies.set("team/api", new PolicyOverride(Optional.of(Duration.ofDays(10)), Optional.of(pw),
        Optional.empty()), "alice", T0);

    RotationPolicies reopened = new RotationPolicies(state, RotationPolicy.DEFAULT,
        List.of(new PrefixPolicy("team/", TEAM)));
    assertThat(reopened.policyFor("team/api")).isEqualTo(new RotationPolicy(Duration.ofDays(10), pw,
        Duration.ofHours(1)));
    assertThat(reopened.snapshot().intervalOf("team/api")).isEqualTo(Duration.ofDays(10));
    assertThat(reopened.snapshot().policyFor("team/other")).isEqualTo(TEAM);
  }

  @Test
  void everyGeneratorKind_roundTripsThroughTheDatabase() {
    for (Generator g : List.of(new Generator.External(), new Generator.RandomBytes(16, false),
        new Generator.RandomBytes(4096, true), Generator.DEFAULT)) {
      policies.set("x", new PolicyOverride(Optional.empty(), Optional.of(g), Optional.of(Duration.ZERO)), "a", T0);
      assertThat(policies.overrideOf("x").generator()).contains(g);
    }
  }

  @Test
  void emptyOverride_removesIt() {
    policies.set("x", new PolicyOverride(Optional.of(Duration.ofDays(1)), Optional.empty(), Optional.empty()), "a",
        T0);
    policies.set("x", PolicyOverride.NONE, "a", T0);
    assertThat(policies.overrideOf("x")).isEqualTo(PolicyOverride.NONE);
  }

  @Test
  void forget_keepsAnOverrideSetAfterTheDelete() {
    PolicyOverride o = new PolicyOverride(Optional.of(Duration.ofDays(1)), Optional.empty(), Optional.empty());
    policies.set("x", o, "a", T0.plusSeconds(10));
    policies.forget("x", T0);
    assertThat(policies.overrideOf("x")).isEqualTo(o);
    policies.forget("x", T0.plusSeconds(10));
    assertThat(policies.overrideOf("x")).isEqualTo(PolicyOverride.NONE);
  }

  @Test
  void ranges_areChecked_namingTheField() {
    assertThatThrownBy(() -> new RotationPolicy(Duration.ofMinutes(59), Generator.DEFAULT, Duration.ZERO))
        .hasMessageStartingWith("interval: must be between 1h and 3650d");
    assertThatThrownBy(() -> new RotationPolicy(Duration.ofDays(1), Generator.DEFAULT, Duration.ofSeconds(-1)))
        .hasMessageStartingWith("grace:");
    assertThatThrownBy(() -> new PolicyOverride(Optional.of(Duration.ofDays(4000)), Optional.empty(),
        Optional.empty())).hasMessageStartingWith("interval:");
    assertThatThrownBy(() -> new RotationPolicies(state, RotationPolicy.DEFAULT,
        List.of(new PrefixPolicy("a/", TEAM), new PrefixPolicy("a/", TEAM)))).hasMessageContaining("'a/'");
  }
}
