package io.secretsbroker.core.rotation;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.Capability;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.Page;
import io.secretsbroker.spi.PageRequest;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretMetadata;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretSummary;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.Stage;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import java.util.Set;

/** A backend decorator whose writes can fail and whose reads by version can return a different value. */
final class FlakyBackend implements SecretBackend {
  private final SecretBackend delegate;
  volatile ErrorCode failWrites;
  volatile boolean corruptReadsByVersion;

  FlakyBackend(SecretBackend delegate) {
    this.delegate = delegate;
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
    SecretVersion v = delegate.read(ref);
    if (corruptReadsByVersion && ref.version() != null) {
      return new SecretVersion(v.name(), v.info(), SecretValue.of(new byte[] {1, 2, 3}));
    }
    return v;
  }

  @Override
  public VersionInfo write(WriteRequest request) {
    ErrorCode f = failWrites;
    if (f != null) {
      throw new BackendException(f, "writes set to fail with " + f);
    }
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
}
