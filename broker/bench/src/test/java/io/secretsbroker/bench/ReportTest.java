package io.secretsbroker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final Report.Machine MACHINE = new Report.Machine(LocalDate.of(2026, 12, 4), 2, "17.0.15",
      List.of("-Xmx1g"), 64, Duration.ofSeconds(10), Duration.ofSeconds(20), false, "./bench", 1.5, -1);

  private static Report.LegFigures leg(Leg leg, double qps, long p99Nanos, Optional<Report.Disk> disk) {
    return new Report.LegFigures(leg, qps, (long) qps * 20, 1_234_567, p99Nanos, 9_876_543_21L, Map.of(), 76, disk);
  }

  private static Report threeLegs() {
    return new Report(MACHINE, List.of(
        leg(Leg.AUDIT_ON, 5_000, 20_000_000, Optional.of(new Report.Disk(40_000, 100, 1_000_000, 100_000, true))),
        leg(Leg.AUDIT_OFF, 20_000, 8_000_000, Optional.of(new Report.Disk(0, 1, 0, 400_000, true))),
        leg(Leg.ECHO, 25_000, 5_000_000, Optional.empty())), new FsyncProbe.Result(850_400, 2_100_900));
  }

  @Test
  void ratios_divideTheRightLegs_inAFixedOrder() {
    assertThat(threeLegs().ratios()).extracting(Report.Ratio::label, r -> Report.ratio(r.value()))
        .containsExactly(
            tuple("audit-on / echo QPS", "0.20"),
            tuple("audit-on / audit-off QPS", "0.25"),
            tuple("audit-off / echo QPS", "0.80"),
            tuple("audit-on p99 / echo p99", "4.00"));
  }

  @Test
  void ratios_ofALegNotRun_areADash() {
    Report onlyEcho = new Report(MACHINE, List.of(leg(Leg.ECHO, 25_000, 5_000_000, Optional.empty())),
        new FsyncProbe.Result(1, 1));

    assertThat(onlyEcho.ratios()).allSatisfy(r -> assertThat(r.value()).isEmpty());
    assertThat(Report.ratio(OptionalDouble.empty())).isEqualTo("–");
    assertThat(onlyEcho.text()).containsPattern("audit-on / echo QPS +–\n")
        .contains("bytes of disk per audited read: – (audit-on not run)");
  }

  @Test
  void latencies_areMillisecondsWithTwoDecimals() {
    assertThat(Report.ms(1_234_567)).isEqualTo("1.23");
    assertThat(Report.ms(987_654_321)).isEqualTo("987.65");
    assertThat(Report.ms(5_000)).isEqualTo("0.01");
    assertThat(Report.qps(12_345.6)).isEqualTo("12,346");
  }

  @Test
  void text_hasOneRowPerLeg_andTheDiskAndFsyncFigures() {
    String text = threeLegs().text();

    assertThat(text).contains(
        "audit-on        5,000     1.23    20.00   987.65     100,000       0         10.0          76",
        "echo           25,000     1.23     5.00   987.65     500,000       0            –          76",
        "bytes of disk per audited read: 10.0 (whole data dir, measured period: 1,000,000 B / 100,000 OK reads;"
            + " warmup alone: 400.0)",
        "median 850 µs, p99 2,100 µs",
        "this run's own processes included): 1.50 before the first leg, unknown after the last");
  }

  @Test
  void markdown_hasATableRowPerLeg_theRatios_andTheCommand() {
    String md = threeLegs().markdown();

    assertThat(md).startsWith("### 2026-12-04: 2 cores, concurrency 64, plaintext\n")
        .contains("| audit-off | 20,000 | 1.23 | 8.00 | 987.65 | 400,000 | 0 | 0.0 | 76 |",
            "| audit-on p99 / echo p99 | 4.00 |", "- command: `./bench`");
  }

  @Test
  void errors_areListedByStatusCode() {
    Report report = new Report(MACHINE, List.of(new Report.LegFigures(Leg.AUDIT_ON, 10, 200, 1, 1, 1,
        Map.of("UNAVAILABLE", 3L, "DEADLINE_EXCEEDED", 1L), 76, Optional.empty())), new FsyncProbe.Result(1, 1));

    assertThat(report.text()).contains("errors in audit-on: DEADLINE_EXCEEDED 1, UNAVAILABLE 3");
    assertThat(report.markdown()).contains("| DEADLINE_EXCEEDED 1, UNAVAILABLE 3 |");
  }
}
