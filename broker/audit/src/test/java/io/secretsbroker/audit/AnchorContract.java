package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link Anchor} must do; each implementation's test subclasses this with a factory. */
public abstract class AnchorContract {
  /** A new, empty anchor. */
  protected abstract Anchor newAnchor() throws Exception;

  private static Checkpoint checkpoint(String replica, long sequence) {
    byte[] mac = new byte[AuditKey.BYTES];
    mac[0] = (byte) sequence;
    return Checkpoint.sign(JournalFixture.key(), replica, sequence, mac,
        Instant.parse("2026-03-01T00:00:00Z").plusSeconds(sequence));
  }

  @Test
  void latest_isEmpty_beforeAnyPublish() throws Exception {
    assertThat(newAnchor().latest("r1")).isEmpty();
  }

  @Test
  void latest_isTheNewestPublished_perReplica_withItsSignatureIntact() throws Exception {
    Anchor anchor = newAnchor();
    for (long s : new long[] {5, 9, 10, 11, 100, 1001}) {
      anchor.publish(checkpoint("r1", s));
    }
    anchor.publish(checkpoint("r2", 3));

    assertThat(anchor.latest("r1")).contains(checkpoint("r1", 1001));
    assertThat(anchor.latest("r1").orElseThrow().verify(JournalFixture.key())).isTrue();
    assertThat(anchor.latest("r2")).contains(checkpoint("r2", 3));
    assertThat(anchor.latest("r3")).isEmpty();
  }

  @Test
  void describe_namesThePlace_withoutCredentials() throws Exception {
    String d = newAnchor().describe();
    assertThat(d).isNotBlank().doesNotContain("AKIA");
  }
}
