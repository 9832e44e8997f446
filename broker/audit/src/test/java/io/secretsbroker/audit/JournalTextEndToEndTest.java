package io.secretsbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adversarial text goes through the journal and comes back exactly as recorded. */
class JournalTextEndToEndTest {
  private static final List<String> HOSTILE = List.of(
      "nul\0inside",
      "c0\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f",
      "del\u007f c1\u0080\u0085\u009f",
      "lone high \ud800 and lone low \udfff, reversed \udc00\ud800",
      "separators\u2028line\u2029para nonchars \ufffe\uffff",
      "backslash \\ and literal \\u0000 text",
      "pair \ud83d\ude00 kept",
      "\0".repeat(300));

  @TempDir
  Path dir;

  @Test
  void append_hostileTextInEveryField_readsBackAsTheEscapedInputAndChainVerifies() throws Exception {
    List<String> raws = new ArrayList<>();
    List<AuditEntry> written = new ArrayList<>();
    try (AuditJournal j = Journals.open(dir)) {
      for (int i = 0; i < HOSTILE.size(); i++) {
        String raw = HOSTILE.get(i);
        AuditEntry e = AuditEntry.builder(AuditEntry.Kind.values()[i % 3], Journals.T0.plusMillis(i))
            .requestId(raw).principal(raw).authMethod(raw).tokenAccessor(raw).peer(raw).method(raw).name(raw)
            .version(raw).outcome(raw).detail(raw).cacheHit(i % 2 == 0).latencyMicros(i).build();
        AuditRecord r = Journals.await(j.append(e));
        assertThat(r.sequence()).isEqualTo(i + 1L);
        assertThat(r.entry()).isEqualTo(e);
        raws.add(raw);
        written.add(e);
      }
    }

    List<AuditRecord> read = Journals.records(dir);
    assertThat(read).extracting(AuditRecord::entry).containsExactlyElementsOf(written);
    for (int i = 0; i < read.size(); i++) {
      AuditEntry e = read.get(i).entry();
      String raw = raws.get(i);
      assertThat(e.requestId()).isEqualTo(AuditText.escape(raw, 64));
      assertThat(e.principal()).isEqualTo(AuditText.escape(raw, 512));
      assertThat(e.authMethod()).isEqualTo(AuditText.escape(raw, 16));
      assertThat(e.tokenAccessor()).isEqualTo(AuditText.escape(raw, 64));
      assertThat(e.peer()).isEqualTo(AuditText.escape(raw, 256));
      assertThat(e.method()).isEqualTo(AuditText.escape(raw, 256));
      assertThat(e.name()).isEqualTo(AuditText.escape(raw, 512));
      assertThat(e.version()).isEqualTo(AuditText.escape(raw, 256));
      assertThat(e.outcome()).isEqualTo(AuditText.escape(raw, 32));
      assertThat(e.detail()).isEqualTo(AuditText.escape(raw, 1024));
      assertThat(AuditTextTest.unescape(e.name())).isEqualTo(raw.length() > 85 ? raw.substring(0, 85) : raw);
    }
    Journals.Verified v = Journals.verify(dir, Journals.KEY, Optional.empty());
    assertThat(v.result().ok()).as(v.result().reason()).isTrue();
    assertThat(v.result().recordsChecked()).isEqualTo(HOSTILE.size());
    assertThat(v.visited()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }
}
