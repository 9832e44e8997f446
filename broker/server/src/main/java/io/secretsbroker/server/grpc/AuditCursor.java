package io.secretsbroker.server.grpc;

import io.secretsbroker.audit.AuditRecord;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.audit.AuditQuery;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Page tokens of QueryAuditLog: the (time, replica, sequence) of the last record returned. */
final class AuditCursor {
  private AuditCursor() {}

  static String encode(AuditRecord last) {
    String raw = "q1:" + last.entry().time().toEpochMilli() + ":" + last.sequence() + ":" + last.replica();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor of a token; null for the first page. */
  static AuditQuery.Cursor decode(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] f = raw.split(":", 4);
      if (f.length != 4 || !f[0].equals("q1")) {
        throw new IllegalArgumentException();
      }
      return new AuditQuery.Cursor(Long.parseLong(f[1]), f[3], Long.parseLong(f[2]));
    } catch (IllegalArgumentException e) {
      throw BrokerException.invalid("page.page_token", "not a token this server issued");
    }
  }
}
