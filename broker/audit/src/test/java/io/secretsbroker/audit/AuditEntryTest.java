package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditEntryTest {
  private static final String NASTY = "a\\b\0c\u2028\ud800";
  private static final String NASTY_ESCAPED = "a\\\\b\\u0000c\\u2028\\ud800";

  @Test
  void constructor_everyTextField_isEscaped() {
    AuditEntry e = AuditEntry.builder(AuditEntry.Kind.ACCESS, Journals.T0).requestId(NASTY).principal(NASTY)
        .authMethod("\0").tokenAccessor(NASTY).peer(NASTY).method(NASTY).name(NASTY).version(NASTY).outcome(NASTY)
        .detail(NASTY).build();

    assertThat(e.requestId()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.principal()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.authMethod()).isEqualTo("\\u0000");
    assertThat(e.tokenAccessor()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.peer()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.method()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.name()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.version()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.outcome()).isEqualTo(NASTY_ESCAPED);
    assertThat(e.detail()).isEqualTo(NASTY_ESCAPED);
  }

  @Test
  void constructor_longFields_areClippedToTheirLimits() {
    AuditEntry e = AuditEntry.builder(AuditEntry.Kind.ACCESS, Journals.T0).requestId("r".repeat(100))
        .outcome("\0".repeat(10)).detail("d".repeat(5000)).build();

    assertThat(e.requestId()).hasSize(64);
    assertThat(e.outcome()).isEqualTo("\\u0000".repeat(5)); // 30 of 32 chars: a sixth escape does not fit
    assertThat(e.detail()).hasSize(1024);
  }

  @Test
  void constructor_negativeLatencyAndNullText_becomeZeroAndEmpty() {
    AuditEntry e = AuditEntry.builder(AuditEntry.Kind.INTENT, Journals.T0).latencyMicros(-5).name(null).build();

    assertThat(e.latencyMicros()).isZero();
    assertThat(e.name()).isEmpty();
  }

  @Test
  void withOutcome_keepsTheOtherFieldsExactlyAsRecorded() {
    AuditEntry intent = AuditEntry.builder(AuditEntry.Kind.INTENT, Journals.T0).requestId("req\\1")
        .principal("token:a\0b").name("db\\password").outcome("PENDING").build();

    AuditEntry outcome = intent.withOutcome(AuditEntry.Kind.OUTCOME, "OK", "done\n");

    assertThat(outcome.kind()).isEqualTo(AuditEntry.Kind.OUTCOME);
    assertThat(outcome.outcome()).isEqualTo("OK");
    assertThat(outcome.detail()).isEqualTo("done\\u000a");
    assertThat(outcome.requestId()).isEqualTo(intent.requestId()).isEqualTo("req\\\\1");
    assertThat(outcome.principal()).isEqualTo(intent.principal()).isEqualTo("token:a\\u0000b");
    assertThat(outcome.name()).isEqualTo(intent.name()).isEqualTo("db\\\\password");
    assertThat(outcome.time()).isEqualTo(intent.time());
  }
}
