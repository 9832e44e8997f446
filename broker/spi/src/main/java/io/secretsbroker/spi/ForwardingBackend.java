package io.secretsbroker.spi;

import java.util.Set;

/**
 * A backend that forwards every call to another; decorators (cache, metrics, test fault injection) extend it and
 * override only the calls they change. Thread-safe when the delegate is.
 */
public abstract class ForwardingBackend implements SecretBackend {
  private final SecretBackend delegate;

  protected ForwardingBackend(SecretBackend delegate) {
    this.delegate = delegate;
  }

  /** The wrapped backend. */
  protected SecretBackend delegate() {
    return delegate;
  }

  @Override
  public String kind() {
    return delegate.kind();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    return delegate.read(ref);
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    return delegate.write(request);
  }

  @Override
  public Page<SecretSummary> list(String prefix, PageRequest page) {
    return delegate.list(prefix, page);
  }

  @Override
  public SecretMetadata describe(String name) {
    return delegate.describe(name);
  }

  @Override
  public void delete(String name) {
    delegate.delete(name);
  }

  @Override
  public void moveStage(String name, Stage stage, String version) {
    delegate.moveStage(name, stage, version);
  }

  @Override
  public void clearStage(String name, Stage stage) {
    delegate.clearStage(name, stage);
  }

  @Override
  public boolean healthy() {
    return delegate.healthy();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
