package io.secretsbroker.audit;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class DirectoryAnchorTest extends AnchorContract {
  @TempDir
  Path dir;
  private int n;

  @Override
  protected Anchor newAnchor() {
    return new DirectoryAnchor(dir.resolve("anchor-" + n++));
  }
}
