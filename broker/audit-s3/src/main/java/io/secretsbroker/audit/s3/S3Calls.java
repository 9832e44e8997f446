package io.secretsbroker.audit.s3;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Turns the SDK's unchecked failures into the {@link IOException}s the anchor and archive contracts promise, naming
 * the bucket and key and the SDK's safe message (status code and request id; never credentials).
 */
final class S3Calls {
  private S3Calls() {}

  /** A call that returns a value. */
  interface Call<T> {
    T run() throws IOException;
  }

  static <T> T run(S3Location location, String key, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException("s3://" + location.bucket() + "/" + key, null, "no such object");
    } catch (SdkException e) {
      throw new IOException("S3 call on s3://" + location.bucket() + "/" + key + " failed: "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
