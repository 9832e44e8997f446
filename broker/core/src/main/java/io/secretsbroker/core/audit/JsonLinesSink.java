package io.secretsbroker.core.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import io.secretsbroker.audit.AuditEntry;
import io.secretsbroker.audit.AuditRecord;
import java.util.function.Consumer;

/**
 * Mirrors durable audit records to a JSON-lines file (one object per line) for SIEM shipping. The journal
 * stays the record of truth; this file is created 0600 and appended after each durable batch.
 */
public final class JsonLinesSink implements Consumer<List<AuditRecord>>, AutoCloseable {
  private final Writer out;

  public JsonLinesSink(Path file) throws IOException {
    if (!Files.exists(file)) {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  @Override
  public synchronized void accept(List<AuditRecord> records) {
    try {
      for (AuditRecord r : records) {
        out.write(toJson(r));
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One record as a JSON object on one line. */
  static String toJson(AuditRecord r) {
    AuditEntry e = r.entry();
    StringBuilder sb = new StringBuilder(384).append('{');
    str(sb, "replica", r.replica()).append(',');
    num(sb, "sequence", r.sequence()).append(',');
    str(sb, "kind", e.kind().name()).append(',');
    str(sb, "time", e.time().toString()).append(',');
    str(sb, "request_id", e.requestId()).append(',');
    str(sb, "principal", e.principal()).append(',');
    str(sb, "auth_method", e.authMethod()).append(',');
    str(sb, "token_accessor", e.tokenAccessor()).append(',');
    str(sb, "peer", e.peer()).append(',');
    str(sb, "method", e.method()).append(',');
    str(sb, "name", e.name()).append(',');
    str(sb, "version", e.version()).append(',');
    str(sb, "outcome", e.outcome()).append(',');
    sb.append("\"cache_hit\":").append(e.cacheHit()).append(',');
    num(sb, "latency_us", e.latencyMicros()).append(',');
    str(sb, "detail", e.detail()).append(',');
    str(sb, "mac", r.mac());
    return sb.append('}').toString();
  }

  private static StringBuilder num(StringBuilder sb, String key, long v) {
    return sb.append('"').append(key).append("\":").append(v);
  }

  private static StringBuilder str(StringBuilder sb, String key, String v) {
    sb.append('"').append(key).append("\":\"");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
