package io.secretsbroker.backend.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A secret's KV v2 metadata ({@code GET /v1/<mount>/metadata/<path>}).
 *
 * @param currentVersion KV's newest version number (not the broker's current), 0 when none was written
 * @param createdTime the secret's {@code created_time}, verbatim (also the snapshot epoch)
 * @param customMetadata the secret's {@code custom_metadata}, never null
 * @param versions every version KV still keeps, by number, in ascending order
 */
record KvMetadata(long currentVersion, String createdTime, Map<String, String> customMetadata,
    Map<Long, KvVersion> versions) {

  /**
   * One version's entry in the metadata.
   *
   * @param created when it was written
   * @param deletion when it was (or will be) soft-deleted, or null
   * @param destroyed whether its data was destroyed
   */
  record KvVersion(Instant created, Instant deletion, boolean destroyed) {
    /** Whether the version can still be read at {@code now} (deleted once its deletion_time is reached). */
    boolean liveAt(Instant now) {
      return !destroyed && (deletion == null || deletion.isAfter(now));
    }
  }

  /**
   * Parses the {@code data} object of a metadata response.
   *
   * @throws IllegalArgumentException when a required field is missing or malformed
   */
  static KvMetadata parse(JsonNode data) {
    if (data == null || !data.isObject() || !data.path("current_version").canConvertToLong()) {
      throw new IllegalArgumentException("metadata response without current_version");
    }
    Map<String, String> custom = new TreeMap<>();
    JsonNode cm = data.path("custom_metadata");
    if (cm.isObject()) {
      for (Map.Entry<String, JsonNode> e : cm.properties()) {
        if (!e.getValue().isNull()) {
          custom.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    Map<Long, KvVersion> versions = new TreeMap<>();
    JsonNode vs = data.path("versions");
    if (vs.isObject()) {
      for (Map.Entry<String, JsonNode> e : vs.properties()) {
        long number;
        try {
          number = Long.parseLong(e.getKey());
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("version key is not a number");
        }
        JsonNode v = e.getValue();
        versions.put(number, new KvVersion(time(v.path("created_time").asText("")),
            time(v.path("deletion_time").asText("")), v.path("destroyed").asBoolean(false)));
      }
    }
    return new KvMetadata(data.path("current_version").asLong(), data.path("created_time").asText(""), custom,
        versions);
  }

  /** Parses an RFC 3339 time; the empty string (Vault's "not set") is null. */
  static Instant time(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 time");
    }
  }
}
