package io.secretsbroker.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.secretsbroker.client.Invoker.Retry;
import io.secretsbroker.proto.v1.DueRotation;
import io.secretsbroker.proto.v1.GetRotationStatusRequest;
import io.secretsbroker.proto.v1.ListDueRotationsRequest;
import io.secretsbroker.proto.v1.ListDueRotationsResponse;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.RotateSecretRequest;
import io.secretsbroker.proto.v1.RotateSecretResponse;
import io.secretsbroker.proto.v1.RotationPolicy;
import io.secretsbroker.proto.v1.RotationServiceGrpc;
import io.secretsbroker.proto.v1.RotationStatus;
import io.secretsbroker.proto.v1.SetRotationPolicyRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The broker's RotationService, with the client's token, deadline and retries. Obtained from {@link
 * SecretsClient#rotation()}; thread-safe. Needs the {@code rotate} capability (listing due secrets needs {@code
 * list}).
 */
public final class RotationClient {
  private final RotationServiceGrpc.RotationServiceBlockingStub stub;
  private final Invoker invoker;

  RotationClient(Channel channel, BearerToken token, Invoker invoker) {
    this.stub = BearerToken.attach(RotationServiceGrpc.newBlockingStub(channel), token);
    this.invoker = invoker;
  }

  /** Rotates a secret now with its policy's generator. Not retried, so a lost response cannot rotate twice. */
  public RotateSecretResponse rotate(String name) {
    RotateSecretRequest request = RotateSecretRequest.newBuilder().setName(Objects.requireNonNull(name)).build();
    return invoker.call(stub, Retry.NEVER, s -> s.rotateSecret(request));
  }

  /** Rotates a secret now to {@code value} (required for external generators). Not retried. */
  public RotateSecretResponse rotate(String name, byte[] value) {
    RotateSecretRequest request = RotateSecretRequest.newBuilder()
        .setName(Objects.requireNonNull(name)).setValue(ByteString.copyFrom(value)).build();
    return invoker.call(stub, Retry.NEVER, s -> s.rotateSecret(request));
  }

  /** The rotation state of one secret. */
  public RotationStatus status(String name) {
    GetRotationStatusRequest request =
        GetRotationStatusRequest.newBuilder().setName(Objects.requireNonNull(name)).build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.getRotationStatus(request));
  }

  /** Secrets due for rotation within {@code within} from now, overdue ones included, most overdue first; lazy. */
  public Stream<DueRotation> due(Duration within) {
    com.google.protobuf.Duration window = Protos.duration(Objects.requireNonNull(within, "within"));
    return Pager.stream(
        token -> invoker.call(stub, Retry.IDEMPOTENT, s -> s.listDueRotations(ListDueRotationsRequest.newBuilder()
            .setWithin(window).setPage(PageRequest.newBuilder().setPageToken(token)).build())),
        ListDueRotationsResponse::getDueList,
        ListDueRotationsResponse::getNextPageToken);
  }

  /** Sets the rotation policy of one secret; unset fields take the defaults for its prefix. */
  public RotationStatus setPolicy(String name, RotationPolicy policy) {
    SetRotationPolicyRequest request = SetRotationPolicyRequest.newBuilder()
        .setName(Objects.requireNonNull(name)).setPolicy(Objects.requireNonNull(policy)).build();
    return invoker.call(stub, Retry.IDEMPOTENT, s -> s.setRotationPolicy(request));
  }
}
