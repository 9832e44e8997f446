package io.secretsbroker.server.grpc;

import io.grpc.stub.StreamObserver;
import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.rotation.DueRotation;
import io.secretsbroker.core.rotation.Generator;
import io.secretsbroker.core.rotation.Generator.CharacterClass;
import io.secretsbroker.core.rotation.PolicyOverride;
import io.secretsbroker.core.rotation.RotationOutcome;
import io.secretsbroker.core.rotation.RotationPolicy;
import io.secretsbroker.core.rotation.RotationService;
import io.secretsbroker.core.rotation.RotationStatus;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.ListDueRotationsRequest;
import io.secretsbroker.proto.v1.ListDueRotationsResponse;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.SetRotationPolicyRequest;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code RotationService}: validates each request, calls the core, maps the result. */
final class RotationGrpcService extends RotationServiceGrpc.RotationServiceImplBase {
  private final RotationService rotation;

  RotationGrpcService(RotationService rotation) {
    this.rotation = rotation;
  }

  @Override
  public void rotateSecret(RotateSecretRequest req, StreamObserver<RotateSecretResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      ctx.detail(req.hasValue() ? "value supplied by the caller" : "value from the policy's generator");
      byte[] value = req.hasValue() ? req.getValue().toByteArray() : null;
      RotationOutcome o;
      try {
        o = rotation.rotate(ctx.principal(), req.getName(), value);
      } finally {
        if (value != null) {
          Arrays.fill(value, (byte) 0);
        }
      }
      ctx.served(o.newVersion(), false);
      return RotateSecretResponse.newBuilder().setName(o.name()).setNewVersion(o.newVersion())
          .setPreviousVersion(o.previousVersion()).build();
    });
  }

  @Override
  public void getRotationStatus(GetRotationStatusRequest req,
      StreamObserver<io.secretsbroker.proto.v1.RotationStatus> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      return toProto(rotation.status(ctx.principal(), req.getName()));
    });
  }

  @Override
  public void listDueRotations(ListDueRotationsRequest req, StreamObserver<ListDueRotationsResponse> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target("", "");
      Duration within = req.hasWithin() ? Protos.duration(req.getWithin()) : Duration.ZERO;
      if (within.isNegative()) {
        throw BrokerException.invalid("within", "must not be negative");
      }
      ctx.detail("within " + Settings.format(within));
      Page<DueRotation> page = rotation.listDue(ctx.principal(), within, Protos.page(req.getPage()));
      ListDueRotationsResponse.Builder b = ListDueRotationsResponse.newBuilder()
          .setNextPageToken(page.nextPageToken());
      for (DueRotation d : page.items()) {
        b.addDue(io.secretsbroker.proto.v1.DueRotation.newBuilder().setName(d.name()).setAgeDays(d.ageDays())
            .setDueTime(Protos.ts(d.dueAt())).setOverdue(d.overdue()));
      }
      return b.build();
    });
  }

  @Override
  public void setRotationPolicy(SetRotationPolicyRequest req,
      StreamObserver<io.secretsbroker.proto.v1.RotationStatus> out) {
    Calls.unary(out, () -> {
      CallContext ctx = CallContext.current().target(req.getName(), "");
      PolicyOverride override = override(req.getPolicy());
      ctx.detail(describe(override));
      return toProto(rotation.setPolicy(ctx.principal(), req.getName(), override));
    });
  }

  /**
   * The override a request's policy asks for: each unset field takes the prefix default.
   *
   * @throws BrokerException INVALID_ARGUMENT naming the field, e.g. {@code policy.interval: must be at least 1h}
   */
  static PolicyOverride override(io.secretsbroker.proto.v1.RotationPolicy p) {
    Optional<Duration> interval = Optional.empty();
    if (p.hasInterval()) {
      Duration d = Protos.duration(p.getInterval());
      if (d.compareTo(RotationPolicy.MIN_INTERVAL) < 0) {
        throw BrokerException.invalid("policy.interval", "must be at least 1h, was " + Settings.format(d));
      }
      if (d.compareTo(RotationPolicy.MAX_INTERVAL) > 0) {
        throw BrokerException.invalid("policy.interval", "must be at most 3650d, was " + Settings.format(d));
      }
      interval = Optional.of(d);
    }
    Optional<Duration> grace = Optional.empty();
    if (p.hasGracePeriod()) {
      Duration d = Protos.duration(p.getGracePeriod());
      if (d.isNegative()) {
        throw BrokerException.invalid("policy.grace_period", "must not be negative");
      }
      if (d.compareTo(RotationPolicy.MAX_GRACE) > 0) {
        throw BrokerException.invalid("policy.grace_period", "must be at most 365d, was " + Settings.format(d));
      }
      grace = Optional.of(d);
    }
    Optional<Generator> generator = p.hasGenerator() ? Optional.of(generator(p.getGenerator())) : Optional.empty();
    return new PolicyOverride(interval, generator, grace);
  }

  private static Generator generator(io.secretsbroker.proto.v1.Generator g) {
    int length = g.getLength();
    return switch (g.getKind()) {
      case KIND_PASSWORD -> {
        int n = lengthOr(length, Generator.MIN_PASSWORD_LENGTH, Generator.MAX_PASSWORD_LENGTH, "a password");
        Set<CharacterClass> classes = EnumSet.noneOf(CharacterClass.class);
        List<String> words = g.getCharacterClassesList();
        for (int i = 0; i < words.size(); i++) {
          String field = "policy.generator.character_classes[" + i + "]";
          CharacterClass c;
          try {
            c = CharacterClass.fromWord(words.get(i));
          } catch (IllegalArgumentException e) {
            throw BrokerException.invalid(field, e.getMessage());
          }
          if (!classes.add(c)) {
            throw BrokerException.invalid(field, "'" + words.get(i) + "' is listed twice");
          }
        }
        yield new Generator.Password(n, classes.isEmpty() ? Generator.DEFAULT_CLASSES : classes);
      }
      case KIND_RANDOM_BYTES -> {
        onlyForPasswords(g);
        yield new Generator.RandomBytes(lengthOr(length, Generator.MIN_RANDOM_BYTES, Generator.MAX_RANDOM_BYTES,
            "random bytes"), true);
      }
      case KIND_EXTERNAL -> {
        onlyForPasswords(g);
        if (length != 0) {
          throw BrokerException.invalid("policy.generator.length", "must be unset for KIND_EXTERNAL");
        }
        yield new Generator.External();
      }
      case KIND_UNSPECIFIED -> throw BrokerException.invalid("policy.generator.kind",
          "required: KIND_PASSWORD, KIND_RANDOM_BYTES or KIND_EXTERNAL");
      default -> throw BrokerException.invalid("policy.generator.kind", "unknown kind value " + g.getKindValue());
    };
  }

  private static int lengthOr(int length, int min, int max, String what) {
    if (length == 0) {
      return Generator.DEFAULT_LENGTH;
    }
    if (length < min || length > max) {
      throw BrokerException.invalid("policy.generator.length", "must be between " + min + " and " + max + " for "
          + what + ", was " + length);
    }
    return length;
  }

  private static void onlyForPasswords(io.secretsbroker.proto.v1.Generator g) {
    if (g.getCharacterClassesCount() > 0) {
      throw BrokerException.invalid("policy.generator.character_classes", "only for KIND_PASSWORD");
    }
  }

  private static String describe(PolicyOverride o) {
    if (o.isEmpty()) {
      return "policy reset to the prefix defaults";
    }
    StringBuilder sb = new StringBuilder("policy:");
    o.interval().ifPresent(d -> sb.append(" interval=").append(Settings.format(d)));
    o.generator().ifPresent(g -> sb.append(" generator=").append(g.kind()));
    o.grace().ifPresent(d -> sb.append(" grace=").append(Settings.format(d)));
    return sb.toString();
  }

  /** The proto form of a policy. */
  static io.secretsbroker.proto.v1.RotationPolicy toProto(RotationPolicy p) {
    io.secretsbroker.proto.v1.Generator.Builder g = io.secretsbroker.proto.v1.Generator.newBuilder();
    if (p.generator() instanceof Generator.Password pw) {
      g.setKind(io.secretsbroker.proto.v1.Generator.Kind.KIND_PASSWORD).setLength(pw.length());
      pw.classes().stream().sorted().forEach(c -> g.addCharacterClasses(c.word()));
    } else if (p.generator() instanceof Generator.RandomBytes rb) {
      g.setKind(io.secretsbroker.proto.v1.Generator.Kind.KIND_RANDOM_BYTES).setLength(rb.length());
    } else {
      g.setKind(io.secretsbroker.proto.v1.Generator.Kind.KIND_EXTERNAL);
    }
    return io.secretsbroker.proto.v1.RotationPolicy.newBuilder().setInterval(Protos.duration(p.interval()))
        .setGenerator(g).setGracePeriod(Protos.duration(p.grace())).build();
  }

  /** The proto form of a status. */
  static io.secretsbroker.proto.v1.RotationStatus toProto(RotationStatus s) {
    return io.secretsbroker.proto.v1.RotationStatus.newBuilder().setName(s.name()).setPolicy(toProto(s.policy()))
        .setState(s.state().word()).setLastRotatedTime(Protos.ts(s.lastRotated().orElse(s.createdAt())))
        .setNextRotationTime(Protos.ts(s.nextRotation())).setPendingVersion(s.pendingVersion())
        .setLastError(s.lastError()).build();
  }
}
