package io.secretsbroker.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The run's scratch folder and its child processes: on {@link #close()}, on failure and on Ctrl-C (a shutdown
 * hook) every child still alive is stopped, forcibly if it does not stop at once, and the folder is deleted.
 * Thread-safe.
 */
final class Workspace implements AutoCloseable {
  private final Path root;
  private final List<Process> children = new ArrayList<>();
  private final Thread hook;
  private boolean closed;

  private Workspace(Path root) {
    this.root = root;
    this.hook = new Thread(this::cleanUp, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Creates a fresh folder under the system's temporary folder. */
  static Workspace create() throws IOException {
    return new Workspace(Files.createTempDirectory("secrets-broker-bench"));
  }

  /** The scratch folder itself. */
  Path root() {
    return root;
  }

  /** A sub-folder of the scratch folder, created if missing. */
  Path dir(String name) throws IOException {
    return Files.createDirectories(root.resolve(name));
  }

  /** Remembers a child process to stop when the workspace closes. */
  synchronized void track(Process child) {
    if (closed) {
      child.destroyForcibly();
      throw new IllegalStateException("workspace already closed");
    }
    children.add(child);
  }

  /** Forgets a child process that has been stopped. */
  synchronized void untrack(Process child) {
    children.remove(child);
  }

  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: nothing to remove
    }
  }

  private synchronized void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    for (Process child : children) {
      child.destroy();
    }
    for (Process child : children) {
      try {
        if (!child.waitFor(3, TimeUnit.SECONDS)) {
          child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        child.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    children.clear();
    deleteRecursively(root);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
