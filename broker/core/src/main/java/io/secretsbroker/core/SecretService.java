package io.secretsbroker.core;

import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.cache.CachingBackend;
import io.secretsbroker.core.metrics.BrokerMetrics;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.core.revocation.Revocation;
import io.secretsbroker.core.revocation.RevocationRegistry;
import io.secretsbroker.core.routing.Mount;
import io.secretsbroker.core.routing.MountTable;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.core.state.ChangeFeed;
import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The request path for secrets: validate → authorize → route to the mount → cache → backend → revocation
 * check. Every method takes the authenticated {@link Principal} and full secret names; every failure is a
 * {@link BrokerException} with a caller-safe message. Auditing is the caller's (the server's) job: it records
 * one audit entry per request around these calls and withholds the result if the entry cannot be made durable.
 * Thread-safe.
 */
public final class SecretService {
  private final MountTable mounts;
  private final AccessControl access;
  private final RevocationRegistry revocations;
  private final ChangeFeed changes;
  private final BrokerMetrics metrics;
  private final ServiceLimits limits;
  private final Clock clock;

  public SecretService(MountTable mounts, AccessControl access, RevocationRegistry revocations, ChangeFeed changes,
      BrokerMetrics metrics, ServiceLimits limits, Clock clock) {
    this.mounts = mounts;
    this.access = access;
    this.revocations = revocations;
    this.changes = changes;
    this.metrics = metrics;
    this.limits = limits;
    this.clock = clock;
    changes.subscribe(this::onChange);
  }

  private void onChange(ChangeEvent e) {
    try {
      Mount m = mounts.route(e.name());
      m.backend().invalidate(m.relative(e.name()));
    } catch (BrokerException ignored) {
      // a name no mount serves any more: nothing cached for it
    }
    revocations.onChange(e);
  }

  /** The mount table. */
  public MountTable mounts() {
    return mounts;
  }

  /**
   * Reads one version of a secret: by version id, by stage, or current.
   *
   * @throws BrokerException NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION (revoked),
   *     UNAVAILABLE
   */
  public SecretResult get(Principal caller, SecretRef ref) {
    long start = System.nanoTime();
    SecretNames.requireValidName("name", ref.name());
    if (ref.version() != null && ref.version().isBlank()) {
      throw BrokerException.invalid("version", "must not be blank");
    }
    access.require(caller, Operation.GET_SECRET, ref.name());
    Mount mount = mounts.route(ref.name());
    CachingBackend.Lookup lookup;
    try {
      lookup = mount.backend().lookup(ref.withName(mount.relative(ref.name())));
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
    SecretVersion version = lookup.version();
    if (revocations.isRevoked(ref.name(), version.info().version())) {
      metrics.revokedReadRefused();
      throw new BrokerException(Failure.FAILED_PRECONDITION, "version " + version.info().version()
          + " of secret '" + ref.name() + "' is revoked" + (ref.version() == null
              ? "; put or rotate in a new version" : ""));
    }
    metrics.accessed(mount.kind(), ref.name(), lookup.fromCache(), System.nanoTime() - start);
    return new SecretResult(version.withName(ref.name()), mount.backend().ttl(), lookup.fromCache());
  }

  /**
   * Whether {@link #get} of {@code ref} would be answered from memory now: its mount's cache holds it. Lets the
   * transport serve cache hits on its own thread and hand everything else to a thread that may block. A name no
   * mount serves counts as answered from memory (it fails at once).
   */
  public boolean answerableFromMemory(SecretRef ref) {
    try {
      Mount mount = mounts.route(ref.name());
      return mount.backend().cached(ref.withName(mount.relative(ref.name())));
    } catch (BrokerException e) {
      return true;
    }
  }

  /**
   * Lists secrets under a prefix across every mount that may hold them, mount by mount (names are in order within
   * a mount).
   */
  public Page<SecretSummary> list(Principal caller, String prefix, PageRequest page) {
    SecretNames.requireValidPrefix("prefix", prefix);
    access.require(caller, Operation.LIST_SECRETS, prefix);
    List<Mount> candidates = mounts.mountsFor(prefix);
    ListCursor cursor = ListCursor.decode(page.token());
    List<SecretSummary> out = new ArrayList<>();
    int remaining = page.size();
    for (Mount m : candidates) {
      if (cursor != null && m.prefix().compareTo(cursor.mount()) < 0) {
        continue;
      }
      String backendToken = cursor != null && m.prefix().equals(cursor.mount()) ? cursor.backendToken() : "";
      cursor = null;
      String relPrefix = prefix.startsWith(m.prefix()) ? prefix.substring(m.prefix().length()) : "";
      while (remaining > 0) {
        Page<SecretSummary> p;
        try {
          p = m.backend().list(relPrefix, new PageRequest(remaining, backendToken));
        } catch (BackendException e) {
          throw BrokerException.from(e, m.prefix());
        }
        for (SecretSummary s : p.items()) {
          String full = m.absolute(s.name());
          if (mounts.route(full) == m) { // skip names shadowed by a longer mount
            out.add(s.withName(full));
          }
        }
        remaining -= p.items().size();
        if (!p.hasNext()) {
          backendToken = "";
          break;
        }
        backendToken = p.nextPageToken();
        if (remaining == 0) {
          return new Page<>(out, new ListCursor(m.prefix(), backendToken).encode());
        }
      }
      if (remaining == 0) {
        int index = candidates.indexOf(m);
        return index + 1 < candidates.size()
            ? new Page<>(out, new ListCursor(candidates.get(index + 1).prefix(), "").encode())
            : new Page<>(out, "");
      }
    }
    return new Page<>(out, "");
  }

  /** Describes a secret: versions with stages and revocation marks, mount and backend. */
  public SecretDescription describe(Principal caller, String name) {
    SecretNames.requireValidName("name", name);
    access.require(caller, Operation.DESCRIBE_SECRET, name);
    Mount mount = mounts.route(name);
    SecretMetadata meta;
    try {
      meta = mount.backend().describe(mount.relative(name)).withName(name);
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
    Set<String> revoked = meta.versions().stream().map(VersionInfo::version)
        .filter(v -> revocations.isRevoked(name, v)).collect(Collectors.toCollection(LinkedHashSet::new));
    return new SecretDescription(meta, mount.prefix(), mount.kind(), revoked);
  }

  /**
   * Writes a new current version. Needs {@code create} for a new secret and {@code update} for an existing one.
   *
   * @param expectedCurrentVersion check-and-set: null for none, "" for "must not exist", else the current version
   * @throws BrokerException FAILED_PRECONDITION when the check-and-set condition fails
   */
  public VersionInfo put(Principal caller, String name, byte[] value, String expectedCurrentVersion) {
    SecretNames.requireValidName("name", name);
    if (value.length > limits.maxValueBytes()) {
      throw BrokerException.invalid("value", "must be at most " + limits.maxValueBytes() + " bytes, was "
          + value.length);
    }
    // Authorize before touching the backend: a caller holding neither create nor update learns nothing, not even
    // whether the secret exists. Only a caller holding exactly one of them needs the existence check to be decided
    // (Vault's create/update split).
    boolean mayCreate = access.allows(caller, Operation.CREATE_SECRET, name);
    boolean mayUpdate = access.allows(caller, Operation.UPDATE_SECRET, name);
    if (!mayCreate && !mayUpdate) {
      access.require(caller, Operation.UPDATE_SECRET, name); // refuses, with the usual message and metric
    }
    Mount mount = mounts.route(name);
    String relative = mount.relative(name);
    if (!(mayCreate && mayUpdate)) {
      access.require(caller, exists(mount, relative) ? Operation.UPDATE_SECRET : Operation.CREATE_SECRET, name);
    }
    WriteRequest request = WriteRequest.put(relative, SecretValue.of(value));
    if (expectedCurrentVersion != null) {
      request = request.expectingCurrent(expectedCurrentVersion);
    }
    VersionInfo written;
    try {
      written = mount.backend().write(request);
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
    metrics.written(mount.kind());
    changes.publish(ChangeEvent.Type.UPDATED, name, written.version());
    return written;
  }

  private static boolean exists(Mount mount, String relative) {
    try {
      mount.backend().describe(relative);
      return true;
    } catch (BackendException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw BrokerException.from(e, mount.prefix());
    }
  }

  /** Deletes a secret and every version; its revocation records go with it. */
  public void delete(Principal caller, String name) {
    SecretNames.requireValidName("name", name);
    access.require(caller, Operation.DELETE_SECRET, name);
    Mount mount = mounts.route(name);
    try {
      mount.backend().delete(mount.relative(name));
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
    revocations.forget(name);
    metrics.forget(mount.kind(), name);
    changes.publish(ChangeEvent.Type.DELETED, name, "");
  }

  /**
   * Revokes a version: recorded durably, purged from this replica's cache, announced to the others.
   *
   * @throws BrokerException NOT_FOUND when the secret has no such version
   */
  public Revocation revoke(Principal caller, String name, String version, String reason) {
    SecretNames.requireValidName("name", name);
    if (version == null || version.isBlank()) {
      throw BrokerException.invalid("version", "required");
    }
    if (reason == null || reason.isBlank()) {
      throw BrokerException.invalid("reason", "required (say why the version is revoked)");
    }
    if (reason.getBytes(StandardCharsets.UTF_8).length > 1024) {
      throw BrokerException.invalid("reason", "must be at most 1024 bytes");
    }
    access.require(caller, Operation.REVOKE_SECRET_VERSION, name);
    Mount mount = mounts.route(name);
    String relative = mount.relative(name);
    SecretMetadata meta;
    try {
      meta = mount.backend().describe(relative);
    } catch (BackendException e) {
      throw BrokerException.from(e, mount.prefix());
    }
    if (meta.versions().stream().noneMatch(v -> v.version().equals(version))) {
      throw new BrokerException(Failure.NOT_FOUND, "secret '" + name + "' has no version " + version);
    }
    Revocation r = new Revocation(name, version, reason, caller.name(), clock.instant());
    boolean fresh = revocations.revoke(r, changes);
    mount.backend().invalidate(relative);
    if (fresh) {
      metrics.revoked();
    }
    return r;
  }

  /** Revocations under a prefix, newest first. */
  public Page<Revocation> listRevocations(Principal caller, String prefix, PageRequest page) {
    SecretNames.requireValidPrefix("prefix", prefix);
    access.require(caller, Operation.LIST_REVOCATIONS, prefix);
    int offset = PageTokens.decodeOffset("o", page.token());
    List<Revocation> items = new ArrayList<>(page.size());
    int chunk = Math.max(page.size(), 100);
    while (true) {
      List<Revocation> rows = revocations.list(prefix, offset, chunk);
      for (int i = 0; i < rows.size(); i++) {
        Revocation r = rows.get(i);
        // only the revocations of secrets the caller may list, whatever the prefix's policy says
        if (!access.allows(caller, Operation.LIST_REVOCATIONS, r.name())) {
          continue;
        }
        if (items.size() == page.size()) {
          return new Page<>(items, PageTokens.encode("o", offset + i));
        }
        items.add(r);
      }
      if (rows.size() < chunk) {
        return new Page<>(items, "");
      }
      offset += rows.size();
    }
  }

  /** Whether a version is revoked. */
  public boolean isRevoked(String name, String version) {
    return revocations.isRevoked(name, version);
  }

  /** The stage names of a version, for responses. */
  public static List<Stage> stagesOf(VersionInfo info) {
    return info.stages().stream().sorted().toList();
  }



  /** A listing position: the mount being listed and the backend's own token inside it. */
  record ListCursor(String mount, String backendToken) {
    String encode() {
      String raw = mount + "\n" + backendToken;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static ListCursor decode(String token) {
      if (token.isEmpty()) {
        return null;
      }
      try {
        String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        int nl = raw.indexOf('\n');
        if (nl < 0) {
          throw new IllegalArgumentException();
        }
        return new ListCursor(raw.substring(0, nl), raw.substring(nl + 1));
      } catch (IllegalArgumentException e) {
        throw BrokerException.invalid("page.page_token", "not a token this server issued");
      }
    }
  }
}
