package io.secretsbroker.cli;

import io.secretsbroker.proto.v1.AuditRecord;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.QueryAuditLogRequest;
import io.secretsbroker.proto.v1.SecretAccessSummary;
import io.secretsbroker.proto.v1.VerifyAuditChainResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** audit query, verify, summary. */
@Command(name = "audit", description = "Query and verify the audit log.",
    subcommands = {AuditCommands.Query.class, AuditCommands.Verify.class, AuditCommands.Summary.class})
final class AuditCommands extends BaseCommand.Group {

  @Command(name = "query", description = "Audit records matching the filters, newest first.")
  static final class Query extends BaseCommand {
    @Option(names = "--principal", paramLabel = "P", description = "Only this principal.")
    String principal = "";

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only secret names starting with PREFIX.")
    String prefix = "";

    @Option(names = "--method", paramLabel = "M", description = "Only this method, e.g. GetSecret.")
    String method = "";

    @Option(names = "--outcome", paramLabel = "CODE", description = "Only this outcome, e.g. PERMISSION_DENIED.")
    String outcome = "";

    @Option(names = "--request-id", paramLabel = "ID", description = "Only the records of this request id.")
    String requestId = "";

    @Option(names = "--since", paramLabel = "TIME", description = "Only records at or after TIME: a duration ago "
        + "(24h, 7d) or an instant (2026-01-02T03:04:05Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only records before TIME (same forms).")
    String until;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
        description = "At most N records (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw usage("--limit must be at least 1");
      }
      Instant now = io().clock.instant();
      QueryAuditLogRequest.Builder q = QueryAuditLogRequest.newBuilder()
          .setPrincipal(principal).setNamePrefix(prefix).setMethod(method).setOutcome(outcome)
          .setRequestId(requestId)
          .setPage(PageRequest.newBuilder().setPageSize(Math.min(limit, 1000)));
      try {
        if (since != null) {
          q.setStartTime(Fmt.timestamp(Durations.parseTime(since, now)));
        }
        if (until != null) {
          q.setEndTime(Fmt.timestamp(Durations.parseTime(until, now)));
        }
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
      Table table =
          new Table("TIME", "PRINCIPAL", "METHOD", "NAME", "VERSION", "OUTCOME", "CACHE", "LATENCY", "DETAIL");
      try (Stream<AuditRecord> records = client().audit().query(q.build()).limit(limit)) {
        records.forEach(r -> {
          if (json) {
            println(Json.write(json(r)));
          } else {
            table.row(Fmt.time(Fmt.instant(r.hasTime(), r.getTime())), r.getPrincipal(), shortMethod(r.getMethod()),
                Fmt.orDash(r.getName()), Fmt.orDash(r.getVersion()), r.getOutcome(), r.getCacheHit() ? "hit" : "-",
                Durations.format(Fmt.duration(r.getLatency())), r.getDetail());
          }
        });
      }
      if (!json) {
        print(table.toString());
      }
      return Sbctl.OK;
    }

    private static String shortMethod(String method) {
      return method.substring(method.lastIndexOf('/') + 1);
    }

    private static Map<String, Object> json(AuditRecord r) {
      Map<String, Object> o = Json.object();
      o.put("sequence", r.getSequence());
      o.put("time", Fmt.instant(r.hasTime(), r.getTime()));
      o.put("request_id", r.getRequestId());
      o.put("principal", r.getPrincipal());
      o.put("peer", r.getPeer());
      o.put("method", r.getMethod());
      o.put("name", r.getName());
      o.put("version", r.getVersion());
      o.put("outcome", r.getOutcome());
      o.put("cache_hit", r.getCacheHit());
      o.put("latency_ms", Fmt.duration(r.getLatency()).toNanos() / 1e6);
      o.put("detail", r.getDetail());
      o.put("replica", r.getReplica());
      o.put("kind", r.getKind());
      o.put("auth_method", r.getAuthMethod());
      o.put("token_accessor", r.getTokenAccessor());
      o.put("mac", r.getMac());
      return o;
    }
  }

  @Command(name = "verify", description = {
      "Recompute the audit hash chain. Exits 1 if a record was changed, removed or inserted.",
      "With --archive, verify archived journal segments offline, without a broker."})
  static final class Verify extends BaseCommand {
    @Option(names = "--archive", paramLabel = "DIR|s3://BUCKET/PREFIX", description = "Verify this archive offline "
        + "(audit.archive): a directory, or an S3 location read with the AWS SDK's default credentials and region "
        + "(AWS_REGION; SECRETS_BROKER_AUDIT_S3_ENDPOINT for another endpoint).")
    String archive;

    @Option(names = "--key-file", paramLabel = "FILE", description = "The audit key file (audit.key-file); with "
        + "--archive.")
    Path keyFile;

    @Option(names = "--replica", paramLabel = "R", description = "Only this replica's segments (default: every "
        + "replica in the archive); with --archive.")
    String replica;

    @Option(names = "--from", paramLabel = "SEQ", description = "First sequence to check (default: the first).")
    long from;

    @Option(names = "--to", paramLabel = "SEQ", description = "Last sequence to check (default: the newest).")
    long to;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (archive != null || keyFile != null || replica != null) {
        if (archive == null) {
          throw usage("--key-file and --replica go with --archive");
        }
        if (keyFile == null) {
          throw usage("--archive needs --key-file (the audit key that chains the records)");
        }
        if (from != 0 || to != 0) {
          throw usage("--from and --to do not apply to --archive (an archive is verified whole)");
        }
        return new ArchiveVerification(this).run(archive, keyFile, replica, json);
      }
      VerifyAuditChainResponse r = client().audit().verify(from, to);
      if (json) {
        Map<String, Object> o = Json.object();
        o.put("ok", r.getOk());
        o.put("records_checked", r.getRecordsChecked());
        o.put("first_broken_sequence", r.getFirstBrokenSequence());
        o.put("reason", r.getReason());
        println(Json.write(o));
      } else if (r.getOk()) {
        println("ok: " + r.getRecordsChecked() + " records checked, chain intact");
      } else {
        println("BROKEN: record " + r.getFirstBrokenSequence() + " does not verify (" + r.getReason() + "); "
            + r.getRecordsChecked() + " records checked");
      }
      return r.getOk() ? Sbctl.OK : Sbctl.FAILED;
    }
  }

  @Command(name = "summary", description = "Per-secret access report: reads, denials, last reader, age, rotation due.")
  static final class Summary extends BaseCommand {
    enum Format { TABLE, JSON, CSV }

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only secrets starting with PREFIX.")
    String prefix = "";

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "table, json (one object per line) or csv (default ${DEFAULT-VALUE}).")
    Format format;

    private static final List<String> COLUMNS = List.of(
        "name", "access_count", "denied_count", "last_accessed", "last_accessor", "age_days", "rotation_due");

    @Override
    public Integer call() {
      List<SecretAccessSummary> rows = client().audit().summary(prefix);
      switch (format) {
        case JSON -> rows.forEach(s -> println(Json.write(values(s))));
        case CSV -> {
          println(String.join(",", COLUMNS));
          rows.forEach(s -> println(String.join(",", values(s).values().stream().map(Summary::csv).toList())));
        }
        default -> {
          Table table = new Table("NAME", "READS", "DENIED", "LAST READ", "LAST READER", "AGE (DAYS)", "ROTATION DUE");
          for (SecretAccessSummary s : rows) {
            table.row(s.getName(), s.getAccessCount(), s.getDeniedCount(),
                Fmt.time(Fmt.instant(s.hasLastAccessed(), s.getLastAccessed())), Fmt.orDash(s.getLastAccessor()),
                s.getAgeDays(), s.getRotationDue() ? "yes" : "no");
          }
          print(table.toString());
        }
      }
      return Sbctl.OK;
    }

    private static Map<String, Object> values(SecretAccessSummary s) {
      Map<String, Object> o = Json.object();
      o.put("name", s.getName());
      o.put("access_count", s.getAccessCount());
      o.put("denied_count", s.getDeniedCount());
      o.put("last_accessed", Fmt.instant(s.hasLastAccessed(), s.getLastAccessed()));
      o.put("last_accessor", s.getLastAccessor());
      o.put("age_days", s.getAgeDays());
      o.put("rotation_due", s.getRotationDue());
      return o;
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
    private static String csv(Object value) {
      String s = value == null ? "" : value.toString();
      if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
      }
      return s;
    }
  }
}
