package io.secretsbroker.policy;

import java.util.Objects;

/**
 * Maps broker operations on secret names to the capability and policy path they need, so that
 * policies read like Vault's KV v2 policies.
 *
 * <table>
 *   <caption>Operation to capability and path</caption>
 *   <tr><th>Operation</th><th>Capability</th><th>Path</th></tr>
 *   <tr><td>GetSecret, BatchGetSecrets (per name), WatchSecrets (per event)</td><td>read</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>PutSecret of a new secret</td><td>create</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>PutSecret of an existing secret</td><td>update</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>DeleteSecret</td><td>delete</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>RotateSecret, SetRotationPolicy</td><td>rotate</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>RevokeSecretVersion</td><td>revoke</td><td>{@code secret/data/N}</td></tr>
 *   <tr><td>DescribeSecret, GetRotationStatus</td><td>read</td><td>{@code secret/metadata/N}</td></tr>
 *   <tr><td>ListSecrets, ListDueRotations, ListRevocations</td><td>list</td><td>{@code secret/metadata/P}
 *       (P the name prefix, possibly empty)</td></tr>
 *   <tr><td>every AuditService call</td><td>audit</td><td>{@value #AUDIT}</td></tr>
 *   <tr><td>CreateToken / RevokeToken / ListTokens</td><td>create / delete / list</td><td>{@value #TOKENS}</td></tr>
 *   <tr><td>CheckAccess</td><td>read</td><td>{@value #POLICY}</td></tr>
 * </table>
 * Names are expected to be validated broker names already; they are not checked here.
 */
public final class PolicyPaths {
  /** Prefix of the paths of secret values. */
  public static final String DATA = "secret/data/";
  /** Prefix of the paths of secret metadata and of listings. */
  public static final String METADATA = "secret/metadata/";
  /** Path of the audit log (capability {@code audit}). */
  public static final String AUDIT = "sys/audit";
  /** Path of token management (capabilities {@code create}, {@code delete}, {@code list}). */
  public static final String TOKENS = "sys/tokens";
  /** Path of the policy explain call (capability {@code read}). */
  public static final String POLICY = "sys/policy";

  private PolicyPaths() {}

  /** A broker operation, with the capability it needs and where its path comes from. */
  public enum Operation {
    /** GetSecret: {@code read} on {@code secret/data/N}. */
    GET_SECRET(Capability.READ, Target.DATA),
    /** BatchGetSecrets, checked once per name: {@code read} on {@code secret/data/N}. */
    BATCH_GET_SECRETS(Capability.READ, Target.DATA),
    /** WatchSecrets, checked once per event's name: {@code read} on {@code secret/data/N}. */
    WATCH_SECRETS(Capability.READ, Target.DATA),
    /** PutSecret of a name that does not exist yet: {@code create} on {@code secret/data/N}. */
    CREATE_SECRET(Capability.CREATE, Target.DATA),
    /** PutSecret of an existing name: {@code update} on {@code secret/data/N}. */
    UPDATE_SECRET(Capability.UPDATE, Target.DATA),
    /** DeleteSecret: {@code delete} on {@code secret/data/N}. */
    DELETE_SECRET(Capability.DELETE, Target.DATA),
    /** RotateSecret: {@code rotate} on {@code secret/data/N}. */
    ROTATE_SECRET(Capability.ROTATE, Target.DATA),
    /** SetRotationPolicy: {@code rotate} on {@code secret/data/N}. */
    SET_ROTATION_POLICY(Capability.ROTATE, Target.DATA),
    /** RevokeSecretVersion: {@code revoke} on {@code secret/data/N}. */
    REVOKE_SECRET_VERSION(Capability.REVOKE, Target.DATA),
    /** DescribeSecret: {@code read} on {@code secret/metadata/N}. */
    DESCRIBE_SECRET(Capability.READ, Target.METADATA),
    /** GetRotationStatus: {@code read} on {@code secret/metadata/N}. */
    GET_ROTATION_STATUS(Capability.READ, Target.METADATA),
    /** ListSecrets with name prefix P: {@code list} on {@code secret/metadata/P}. */
    LIST_SECRETS(Capability.LIST, Target.METADATA),
    /** ListDueRotations (prefix P, {@code ""} for all): {@code list} on {@code secret/metadata/P}. */
    LIST_DUE_ROTATIONS(Capability.LIST, Target.METADATA),
    /** ListRevocations with name prefix P: {@code list} on {@code secret/metadata/P}. */
    LIST_REVOCATIONS(Capability.LIST, Target.METADATA),
    /** Any AuditService call: {@code audit} on {@value PolicyPaths#AUDIT}. */
    AUDIT(Capability.AUDIT, Target.FIXED),
    /** CreateToken: {@code create} on {@value PolicyPaths#TOKENS}. */
    CREATE_TOKEN(Capability.CREATE, Target.FIXED),
    /** RevokeToken: {@code delete} on {@value PolicyPaths#TOKENS}. */
    REVOKE_TOKEN(Capability.DELETE, Target.FIXED),
    /** ListTokens: {@code list} on {@value PolicyPaths#TOKENS}. */
    LIST_TOKENS(Capability.LIST, Target.FIXED),
    /** CheckAccess (the policy explain call): {@code read} on {@value PolicyPaths#POLICY}. */
    CHECK_ACCESS(Capability.READ, Target.FIXED);

    private enum Target { DATA, METADATA, FIXED }

    private final Capability capability;
    private final Target target;

    Operation(Capability capability, Target target) {
      this.capability = capability;
      this.target = target;
    }

    /** Returns the capability this operation needs. */
    public Capability capability() {
      return capability;
    }

    /** Returns {@code true} when the path depends on a secret name or prefix. */
    public boolean takesName() {
      return target != Target.FIXED;
    }
  }

  /** Returns the path of a secret's value: {@code secret/data/<name>}. */
  public static String data(String name) {
    return DATA + Objects.requireNonNull(name, "name");
  }

  /** Returns the path of a secret's metadata, or of a listing by prefix: {@code secret/metadata/<name>}. */
  public static String metadata(String nameOrPrefix) {
    return METADATA + Objects.requireNonNull(nameOrPrefix, "nameOrPrefix");
  }

  /**
   * Returns what an operation on a secret name (or name prefix) needs.
   *
   * @param operation the broker operation
   * @param nameOrPrefix the secret name, or for listings the name prefix ({@code ""} for all);
   *     ignored (may be {@code null}) when {@link Operation#takesName()} is {@code false}
   */
  public static AccessRequest forOperation(Operation operation, String nameOrPrefix) {
    Objects.requireNonNull(operation, "operation");
    String path = switch (operation.target) {
      case DATA -> data(nameOrPrefix);
      case METADATA -> metadata(nameOrPrefix);
      case FIXED -> switch (operation) {
        case AUDIT -> PolicyPaths.AUDIT;
        case CHECK_ACCESS -> POLICY;
        default -> TOKENS;
      };
    };
    return new AccessRequest(operation.capability, path);
  }

  /**
   * Returns the request that CheckAccess explains for a capability and a name: a name starting
   * with {@code sys/} is a system path and used as is; otherwise {@code list} checks
   * {@code secret/metadata/<name>} and every other capability {@code secret/data/<name>}.
   *
   * @throws IllegalArgumentException if {@code capability} is {@link Capability#DENY}
   */
  public static AccessRequest forCheck(Capability capability, String nameOrSysPath) {
    Objects.requireNonNull(nameOrSysPath, "nameOrSysPath");
    if (nameOrSysPath.startsWith("sys/")) {
      return new AccessRequest(capability, nameOrSysPath);
    }
    return new AccessRequest(capability, capability == Capability.LIST ? metadata(nameOrSysPath) : data(nameOrSysPath));
  }

  /**
   * Returns {@code true} when {@code pattern} (as Vault reads it, leading {@code /} removed) matches
   * a path that some broker operation checks: {@code secret/data/<name>},
   * {@code secret/metadata/<prefix>} (and {@code secret/metadata}, which a listing of everything also
   * tries, as Vault tries {@code list} without the trailing slash), {@value #AUDIT},
   * {@value #TOKENS} or {@value #POLICY}. Names are segments of {@code [A-Za-z0-9._-]}, none empty,
   * {@code .} or {@code ..}; a prefix is empty, a name, or a name and {@code /}.
   *
   * <p>{@code sbctl policy lint} warns about patterns for which this is {@code false}: they are legal
   * but can never decide anything.
   */
  public static boolean reachable(String pattern) {
    PathPattern p = PathPattern.of(Objects.requireNonNull(pattern, "pattern"));
    for (String fixed : new String[] {AUDIT, TOKENS, POLICY, "secret/metadata", METADATA}) {
      if (p.matches(fixed)) {
        return true;
      }
    }
    return underRoot(p, "data", false) || underRoot(p, "metadata", true);
  }

  /** Whether {@code p} matches some {@code secret/<second>/<segments>} path. */
  private static boolean underRoot(PathPattern p, String second, boolean mayEndWithSlash) {
    String[] segments = p.segments;
    int k = segments.length;
    if (!p.isPrefix && k < 3) {
      return false;
    }
    for (int i = 0; i < k; i++) {
      String s = segments[i];
      boolean prefixOfSegment = p.isPrefix && i == k - 1;
      if (p.kind == PathPattern.Kind.SEGMENTS && s.equals("+")) {
        continue;
      }
      if (i < 2) {
        String want = i == 0 ? "secret" : second;
        if (prefixOfSegment ? !want.startsWith(s) : !want.equals(s)) {
          return false;
        }
      } else if (prefixOfSegment || (mayEndWithSlash && i == k - 1 && s.isEmpty())) {
        if (!s.chars().allMatch(c -> Texts.isNameChar((char) c))) {
          return false;
        }
      } else if (s.isEmpty() || s.equals(".") || s.equals("..") || !s.chars().allMatch(c -> Texts.isNameChar((char) c))) {
        return false;
      }
    }
    return true;
  }
}
