package io.secretsbroker.core.rotation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsbroker.core.BrokerException;
import io.secretsbroker.core.Failure;
import io.secretsbroker.core.ServiceLimits;
import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.policy.AccessControl;
import io.secretsbroker.core.state.ChangeEvent;
import io.secretsbroker.policy.Capability;
import io.secretsbroker.policy.Decision;
import io.secretsbroker.policy.PolicyPaths.Operation;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationServiceTest {
  private static final Principal ALICE = new Principal("alice", "token", Set.of());

  @TempDir
  Path dir;
  RotationFixture f;
  BiPredicate<Operation, String> allowed = (op, target) -> true;
  RotationService service;

  /** Allows what {@link #allowed} says. */
  private final AccessControl access = new AccessControl() {
    @Override
    public void require(Principal principal, Operation operation, String target) {
      if (!allowed.test(operation, target)) {
        throw new BrokerException(Failure.PERMISSION_DENIED, "denied " + operation + " on " + target);
      }
    }

    @Override
    public boolean allows(Principal principal, Operation operation, String target) {
      return allowed.test(operation, target);
    }

    @Override
    public Decision explain(io.secretsbroker.core.auth.Principal principal, Capability capability,
        String nameOrSysPath) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Set<String> policiesOf(Principal principal) {
      return Set.of();
    }
  };

  @BeforeEach
  void setUp() {
    f = new RotationFixture(dir);
    service = new RotationService(f.mounts, access, f.engine(), new SecretAges(f.mounts, f.policies, f.clock),
        new ServiceLimits(16, 10), f.changes, f.clock);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static Failure failureOf(Runnable r) {
    try {
      r.run();
    } catch (BrokerException e) {
      return e.failure();
    }
    throw new AssertionError("expected a BrokerException");
  }

  @Test
  void rotate_checksNameValueAndCapabilityBeforeRotating() {
    f.put("db", "first");
    assertThatThrownBy(() -> service.rotate(ALICE, "../db", null)).hasMessageStartingWith("name:");
    assertThatThrownBy(() -> service.rotate(ALICE, "db", new byte[0]))
        .hasMessageStartingWith("value: must not be empty");
    assertThatThrownBy(() -> service.rotate(ALICE, "db", new byte[17]))
        .hasMessage("value: must be at most 16 bytes, was 17");
    allowed = (op, target) -> op != Operation.ROTATE_SECRET;
    assertThat(failureOf(() -> service.rotate(ALICE, "db", null))).isEqualTo(Failure.PERMISSION_DENIED);
    assertThat(f.describe("db").versions()).hasSize(1);
  }

  @Test
  void status_reportsPolicyStateAndTimes() {
    f.put("db", "first");
    var created = f.clock.instant();
    RotationStatus before = service.status(ALICE, "db");
    assertThat(before.state()).isEqualTo(RotationState.IDLE);
    assertThat(before.lastRotated()).isEmpty();
    assertThat(before.nextRotation()).isEqualTo(created.plus(Duration.ofDays(90)));

    f.advance(Duration.ofDays(3));
    service.rotate(ALICE, "db", null);
    RotationStatus after = service.status(ALICE, "db");
    assertThat(after.lastRotated()).contains(f.clock.instant());
    assertThat(after.createdAt()).isEqualTo(created);
    assertThat(after.nextRotation()).isEqualTo(f.clock.instant().plus(Duration.ofDays(90)));
    assertThat(after.policy()).isEqualTo(RotationPolicy.DEFAULT);

    allowed = (op, target) -> op != Operation.GET_ROTATION_STATUS;
    assertThat(failureOf(() -> service.status(ALICE, "db"))).isEqualTo(Failure.PERMISSION_DENIED);
  }

  @Test
  void setPolicy_needsAnExistingSecret_andChangesTheDueDate() {
    assertThat(failureOf(() -> service.setPolicy(ALICE, "nope", PolicyOverride.NONE))).isEqualTo(Failure.NOT_FOUND);
    f.put("db", "first");

    RotationStatus s = service.setPolicy(ALICE, "db", new PolicyOverride(Optional.of(Duration.ofDays(1)),
        Optional.empty(), Optional.empty()));

    assertThat(s.policy().interval()).isEqualTo(Duration.ofDays(1));
    assertThat(s.nextRotation()).isEqualTo(f.clock.instant().plus(Duration.ofDays(1)));
  }

  @Test
  void listDue_isMostOverdueFirst_withinTheWindow_pagedAndFilteredByAccess() {
    f.put("old", "x");
    f.advance(Duration.ofDays(10));
    f.put("mid", "x");
    f.advance(Duration.ofDays(10));
    f.put("new", "x");
    f.put("hidden", "x");
    f.advance(Duration.ofDays(85)); // old: 15 days overdue, mid: 5, new and hidden: due in 5 days
    allowed = (op, target) -> !target.equals("hidden");

    assertThat(service.listDue(ALICE, Duration.ZERO, PageRequest.first(10)).items())
        .extracting(DueRotation::name).containsExactly("old", "mid");
    Page<DueRotation> first = service.listDue(ALICE, Duration.ofDays(6), PageRequest.first(2));
    assertThat(first.items()).extracting(DueRotation::name).containsExactly("old", "mid");
    assertThat(first.items().get(0).overdue()).isTrue();
    assertThat(first.items().get(0).ageDays()).isEqualTo(105);
    Page<DueRotation> second = service.listDue(ALICE, Duration.ofDays(6),
        new PageRequest(2, first.nextPageToken()));
    assertThat(second.items()).extracting(DueRotation::name, DueRotation::overdue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("new", false));
    assertThat(second.hasNext()).isFalse();
    assertThatThrownBy(() -> service.listDue(ALICE, Duration.ofSeconds(-1), PageRequest.first(1)))
        .hasMessageStartingWith("within:");
    assertThatThrownBy(() -> service.listDue(ALICE, Duration.ZERO, new PageRequest(1, "garbage")))
        .hasMessageStartingWith("page.page_token:");
  }

  @Test
  void deletingASecret_forgetsItsOverrideAndRotationRecord() {
    f.put("db", "first");
    service.setPolicy(ALICE, "db", new PolicyOverride(Optional.of(Duration.ofDays(1)), Optional.empty(),
        Optional.empty()));
    service.rotate(ALICE, "db", "v2".getBytes(UTF_8));
    f.advance(Duration.ofSeconds(1));

    f.memory.delete("db");
    f.changes.publish(ChangeEvent.Type.DELETED, "db", "");

    assertThat(f.policies.overrideOf("db")).isEqualTo(PolicyOverride.NONE);
    assertThat(f.engine().row("db")).isEmpty();
  }
}
