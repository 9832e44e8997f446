package io.secretsbroker.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** A {@link Subscription}: a watch on one name, re-reads on its events, polling while the stream is broken. */
final class SecretSubscription implements Subscription, WatchListener {
  private static final System.Logger LOG = System.getLogger(SecretSubscription.class.getName());

  private final SecretsClient client;
  private final String name;
  private final Consumer<Secret> onChange;
  private final Scheduler scheduler;
  private final Consumer<Subscription> onClose;

  private Secret current;
  private SecretsBrokerException lost;
  private Watch watch;
  private Scheduler.Cancellable poll;
  private boolean closed;

  SecretSubscription(SecretsClient client, String name, Consumer<Secret> onChange, Scheduler scheduler,
      Consumer<Subscription> onClose) {
    this.client = client;
    this.name = name;
    this.onChange = onChange;
    this.scheduler = scheduler;
    this.onClose = onClose;
  }

  void start() {
    Secret first = client.get(name);
    synchronized (this) {
      current = first;
    }
    deliver(first);
    Watch opened = client.watch(List.of(name), this);
    synchronized (this) {
      if (closed) {
        opened.close();
      } else {
        watch = opened;
      }
    }
  }

  @Override
  public synchronized Secret current() {
    if (current == null) {
      throw lost;
    }
    return current;
  }

  @Override
  public void onEvent(SecretEvent event) {
    if (!event.name().equals(name)) {
      return;
    }
    if (event.type() == SecretEvent.Type.REVOKED || event.type() == SecretEvent.Type.DELETED) {
      synchronized (this) {
        if (event.type() == SecretEvent.Type.DELETED) {
          drop(new SecretNotFoundException("secret " + name + " was deleted", null));
        } else if (current != null && current.version().equals(event.version())) {
          drop(new FailedPreconditionException("version " + event.version() + " of " + name + " was revoked", null));
        }
      }
    }
    scheduler.schedule(this::refresh, Duration.ZERO);
  }

  @Override
  public void onConnected() {
    boolean wasPolling;
    synchronized (this) {
      wasPolling = poll != null;
      stopPolling();
    }
    if (wasPolling) {
      scheduler.schedule(this::refresh, Duration.ZERO);
    }
  }

  @Override
  public void onDisconnected(SecretsBrokerException cause) {
    startPolling();
  }

  @Override
  public void onStopped(SecretsBrokerException cause) {
    startPolling();
  }

  @Override
  public void close() {
    Watch w;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopPolling();
      w = watch;
    }
    if (w != null) {
      w.close();
    }
    onClose.accept(this);
  }

  /** Re-reads the current version; a new version replaces the held one and is passed to the callback. */
  void refresh() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    Secret fresh;
    try {
      fresh = client.get(name);
    } catch (SecretNotFoundException | FailedPreconditionException e) {
      synchronized (this) {
        drop(e);
      }
      return;
    } catch (SecretsBrokerException e) {
      LOG.log(Level.DEBUG, "refreshing " + name + " failed with " + e.code() + "; keeping the value held");
      return;
    }
    boolean changed;
    synchronized (this) {
      changed = !closed && (current == null || !current.version().equals(fresh.version()));
      if (changed) {
        current = fresh;
        lost = null;
      }
    }
    if (changed) {
      deliver(fresh);
    }
  }

  private void drop(SecretsBrokerException reason) {
    current = null;
    lost = reason;
  }

  private void deliver(Secret secret) {
    try {
      onChange.accept(secret);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "subscription callback for " + name + " threw " + e.getClass().getName());
    }
  }

  private synchronized void startPolling() {
    if (closed || poll != null) {
      return;
    }
    poll = scheduler.schedule(this::pollOnce, pollInterval());
  }

  private void pollOnce() {
    refresh();
    synchronized (this) {
      if (closed || poll == null) {
        return;
      }
      poll = scheduler.schedule(this::pollOnce, pollInterval());
    }
  }

  private Duration pollInterval() {
    Duration ttl = current == null ? Duration.ZERO : current.cacheTtl();
    return ttl.isZero() || ttl.isNegative() ? SecretsClient.DEFAULT_POLL_INTERVAL : ttl;
  }

  private void stopPolling() {
    if (poll != null) {
      poll.cancel();
      poll = null;
    }
  }
}
