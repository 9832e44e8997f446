package io.secretsbroker.core.rotation;

import io.secretsbroker.spi.BackendException;
import io.secretsbroker.spi.ErrorCode;
import io.secretsbroker.spi.SecretBackend;
import io.secretsbroker.spi.SecretRef;
import io.secretsbroker.spi.SecretValue;
import io.secretsbroker.spi.SecretVersion;
import io.secretsbroker.spi.VersionInfo;
import io.secretsbroker.spi.WriteRequest;
import io.secretsbroker.spi.ForwardingBackend;

/** A backend decorator whose writes can fail and whose reads by version can return a different value. */
final class FlakyBackend extends ForwardingBackend {
  volatile ErrorCode failWrites;
  volatile boolean corruptReadsByVersion;

  FlakyBackend(SecretBackend delegate) {
    super(delegate);
  }

  @Override
  public SecretVersion read(SecretRef ref) {
    SecretVersion v = super.read(ref);
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
    return super.write(request);
  }
}
