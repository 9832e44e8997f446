package io.secretsbroker.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import io.secretsbroker.proto.v1.WatchSecretsRequest;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A {@link Watch} over WatchSecrets that re-opens a broken stream, resuming after the last event seen. */
final class WatchStream implements Watch {
  private static final System.Logger LOG = System.getLogger(WatchStream.class.getName());
  /** Refusals that another attempt would meet again. */
  private static final Set<Status.Code> PERMANENT = EnumSet.of(
      Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED, Status.Code.INVALID_ARGUMENT,
      Status.Code.UNIMPLEMENTED, Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION);

  private final SecretsServiceGrpc.SecretsServiceStub stub;
  private final List<String> prefixes;
  private final WatchListener listener;
  private final Scheduler scheduler;
  private final Backoff backoff;
  private final Consumer<Watch> onClose;

  private long lastEventId;
  private int failures;
  private boolean closed;
  private ClientCallStreamObserver<WatchSecretsRequest> call;
  private Scheduler.Cancellable reconnect;

  WatchStream(SecretsServiceGrpc.SecretsServiceStub stub, List<String> prefixes, WatchListener listener,
      Scheduler scheduler, Backoff backoff, Consumer<Watch> onClose) {
    this.stub = stub;
    this.prefixes = prefixes;
    this.listener = listener;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.onClose = onClose;
  }

  void start() {
    open();
  }

  private void open() {
    WatchSecretsRequest request;
    synchronized (this) {
      if (closed) {
        return;
      }
      reconnect = null;
      request = WatchSecretsRequest.newBuilder().addAllPrefixes(prefixes).setResumeAfterEventId(lastEventId).build();
    }
    stub.watchSecrets(request, new Observer());
  }

  @Override
  public synchronized long lastEventId() {
    return lastEventId;
  }

  @Override
  public synchronized boolean isActive() {
    return !closed;
  }

  @Override
  public void close() {
    ClientCallStreamObserver<WatchSecretsRequest> active;
    Scheduler.Cancellable pending;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      active = call;
      pending = reconnect;
      call = null;
      reconnect = null;
    }
    if (pending != null) {
      pending.cancel();
    }
    if (active != null) {
      active.cancel("watch closed by the client", null);
    }
    onClose.accept(this);
  }

  private void broken(Status status) {
    SecretsBrokerException cause = SecretsBrokerException.of(status, null);
    if (PERMANENT.contains(status.getCode())) {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        call = null;
      }
      onClose.accept(this);
      safely(() -> listener.onStopped(cause));
      return;
    }
    safely(() -> listener.onDisconnected(cause));
    synchronized (this) {
      if (closed) {
        return;
      }
      call = null;
      reconnect = scheduler.schedule(this::open, backoff.delay(failures++));
    }
  }

  private static void safely(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "watch listener threw " + e.getClass().getName());
    }
  }

  private final class Observer
      implements ClientResponseObserver<WatchSecretsRequest, io.secretsbroker.proto.v1.SecretEvent> {
    private boolean connected;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchSecretsRequest> requestStream) {
      synchronized (WatchStream.this) {
        call = requestStream;
      }
    }

    @Override
    public void onNext(io.secretsbroker.proto.v1.SecretEvent event) {
      synchronized (WatchStream.this) {
        if (closed) {
          return;
        }
        if (event.getEventId() > lastEventId) {
          lastEventId = event.getEventId();
        }
        failures = 0;
      }
      if (!connected) {
        connected = true;
        safely(listener::onConnected);
      }
      SecretEvent converted = Protos.event(event);
      if (converted != null) {
        safely(() -> listener.onEvent(converted));
      }
    }

    @Override
    public void onError(Throwable t) {
      if (isActive()) {
        broken(Status.fromThrowable(t));
      }
    }

    @Override
    public void onCompleted() {
      if (isActive()) {
        broken(Status.UNAVAILABLE.withDescription("the broker ended the watch stream"));
      }
    }
  }
}
