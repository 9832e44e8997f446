package io.secretsbroker.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every policy file of a folder and keeps the current {@link PolicySet}, reloading it when
 * the files change.
 *
 * <p>The folder's regular files named {@code <name>.hcl} or {@code <name>.json} are read, not its
 * subfolders; files whose name starts with {@code .} are skipped (editor and Kubernetes ConfigMap
 * artefacts). Each file is the policy {@code <name>}, which must be {@code [A-Za-z0-9._-]+}; two
 * files may not define the same name. Files are UTF-8; whether a file holds HCL or JSON is decided
 * by its contents, as Vault decides it, not by its extension.
 *
 * <p>Reloads are all or nothing: {@link #reload()} reads every file and, when their contents
 * differ from the set in force, parses them all; if any file fails, the previous complete set stays
 * in force, one warning line per failing file names it as {@code file:line:column: problem}, and
 * {@link Listener#rejected} is called once (the daemon counts these as a metric). The same broken
 * contents are reported once, not at every poll. {@link #current()} is a volatile read of an
 * immutable set, safe from any thread; reloads are serialised.
 */
public final class PolicyStore implements AutoCloseable {
  /** The largest policy file read; larger files are rejected. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  /** The suggested interval between checks for changed files. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
  private static final List<String> SUFFIXES = List.of(".hcl", ".json");

  /** Hears about reloads; both methods run on the reloading thread and must not block. */
  public interface Listener {
    /** A listener that does nothing. */
    Listener NONE = new Listener() {};

    /** Called after a changed set of policies was swapped in. */
    default void reloaded(PolicySet policies) {}

    /**
     * Called when changed files were rejected and the previous set stays in force.
     *
     * @param error the first problem found; a {@link PolicyParseException} when a file does not
     *     parse, otherwise a {@link PolicyException} (unreadable folder or file, bad file name)
     */
    default void rejected(PolicyException error) {}
  }

  private final Path directory;
  private final Listener listener;
  private final AtomicReference<PolicySet> current = new AtomicReference<>();
  private final Object reloadLock = new Object();
  private byte[] currentDigest;
  private String lastRejection;
  private ScheduledFuture<?> polling;

  private PolicyStore(Path directory, Listener listener) {
    this.directory = directory;
    this.listener = listener;
  }

  /**
   * Loads the policy files of {@code directory}.
   *
   * @param directory the folder holding {@code *.hcl} and {@code *.json} files; an empty folder is
   *     an empty set
   * @param listener told about later reloads; {@link Listener#NONE} for none
   * @throws PolicyException if the folder or a file cannot be read or a file name is invalid
   * @throws PolicyParseException if a file does not parse (others are attached as suppressed)
   */
  public static PolicyStore open(Path directory, Listener listener) {
    PolicyStore store = new PolicyStore(Objects.requireNonNull(directory, "directory"),
        Objects.requireNonNull(listener, "listener"));
    Snapshot files = store.read();
    store.current.set(parseAll(files));
    store.currentDigest = files.digest;
    LOG.info("loaded {} policies from {}: {}", store.current().names().size(), directory, store.current().names());
    return store;
  }

  /** Returns the set in force. Never {@code null}; cheap enough to call on every request. */
  public PolicySet current() {
    return current.get();
  }

  /** Returns the folder this store reads. */
  public Path directory() {
    return directory;
  }

  /**
   * Reads the folder now and swaps in a new set if the files changed and all parse.
   *
   * @return {@code true} when a new set was swapped in; {@code false} when nothing changed or the
   *     change was rejected (then the listener was told, unless these contents were already
   *     rejected)
   */
  public boolean reload() {
    synchronized (reloadLock) {
      Snapshot files;
      try {
        files = read();
      } catch (PolicyException e) {
        reject("read:" + e.getMessage(), e, List.of(e));
        return false;
      }
      if (Arrays.equals(files.digest, currentDigest)) {
        lastRejection = null;
        return false;
      }
      String key = "files:" + HexFormat.of().formatHex(files.digest);
      if (key.equals(lastRejection)) {
        return false;
      }
      PolicySet next;
      try {
        next = parseAll(files);
      } catch (PolicyException e) {
        List<PolicyException> all = new ArrayList<>();
        all.add(e);
        for (Throwable t : e.getSuppressed()) {
          all.add((PolicyException) t);
        }
        reject(key, e, all);
        return false;
      }
      current.set(next);
      currentDigest = files.digest;
      lastRejection = null;
      LOG.info("reloaded {} policies from {}: {}", next.names().size(), directory, next.names());
      listener.reloaded(next);
      return true;
    }
  }

  /**
   * Checks the folder for changes every {@code interval} on {@code scheduler} (the first check one
   * interval from now), until {@link #close()}.
   *
   * @throws IllegalStateException if polling was already started
   */
  public void startPolling(ScheduledExecutorService scheduler, Duration interval) {
    Objects.requireNonNull(scheduler, "scheduler");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, was " + interval);
    }
    synchronized (reloadLock) {
      if (polling != null) {
        throw new IllegalStateException("polling was already started");
      }
      long millis = interval.toMillis();
      polling = scheduler.scheduleWithFixedDelay(this::pollOnce, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Stops polling; the set in force stays readable. */
  @Override
  public void close() {
    synchronized (reloadLock) {
      if (polling != null) {
        polling.cancel(false);
      }
    }
  }

  private void pollOnce() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.warn("policy reload of {} failed unexpectedly; keeping the policies in force", directory, e);
    }
  }

  private void reject(String key, PolicyException first, List<PolicyException> all) {
    if (key.equals(lastRejection)) {
      return;
    }
    lastRejection = key;
    int kept = current().names().size();
    for (PolicyException e : all) {
      LOG.warn("policy reload of {} rejected, keeping the {} policies in force: {}", directory, kept, e.getMessage());
    }
    listener.rejected(first);
  }

  private static PolicySet parseAll(Snapshot files) {
    List<Policy> policies = new ArrayList<>();
    PolicyException first = null;
    for (Map.Entry<String, PolicyFile> file : files.files.entrySet()) {
      String fileName = file.getValue().fileName();
      try {
        policies.add(Policy.parse(file.getKey(), fileName, decode(fileName, file.getValue().bytes())));
      } catch (PolicyException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return PolicySet.of(policies);
  }

  /** One policy file: its name in the folder and its contents. */
  private record PolicyFile(String fileName, byte[] bytes) {}

  /** The folder's policy files (policy name to file) and a digest of their names and bytes. */
  private record Snapshot(Map<String, PolicyFile> files, byte[] digest) {}

  private Snapshot read() {
    if (!Files.isDirectory(directory)) {
      throw new PolicyException("policy folder " + directory + " does not exist or is not a folder");
    }
    TreeMap<String, PolicyFile> raw = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String fileName = entry.getFileName().toString();
        String suffix = SUFFIXES.stream().filter(fileName::endsWith).findFirst().orElse(null);
        if (suffix == null || fileName.startsWith(".") || !Files.isRegularFile(entry)) {
          continue;
        }
        String name = fileName.substring(0, fileName.length() - suffix.length());
        if (!Texts.isPolicyName(name)) {
          throw new PolicyException(Texts.clip(fileName) + ": " + Texts.quote(name)
              + " is not a valid policy name; name policy files <name>.hcl (or <name>.json) with <name> of 1 to 128 characters of [A-Za-z0-9._-]");
        }
        if (Files.size(entry) > MAX_FILE_BYTES) {
          throw new PolicyException(Texts.clip(fileName) + ": larger than " + MAX_FILE_BYTES + " bytes; is this a policy file?");
        }
        PolicyFile other = raw.put(name, new PolicyFile(fileName, Files.readAllBytes(entry)));
        if (other != null) {
          throw new PolicyException(Texts.clip(fileName) + " and " + Texts.clip(other.fileName()) + " both define the policy "
              + Texts.quote(name) + "; keep one of them");
        }
      }
    } catch (IOException e) {
      throw new PolicyException("cannot read policy folder " + directory + ": " + e.getClass().getSimpleName(), e);
    }
    MessageDigest sha = sha256();
    for (PolicyFile file : raw.values()) {
      sha.update(file.fileName().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(ByteBuffer.allocate(8).putLong(file.bytes().length).array());
      sha.update(file.bytes());
    }
    return new Snapshot(Collections.unmodifiableMap(raw), sha.digest());
  }

  /** Decodes strict UTF-8; malformed bytes fail with the line and column where they start. */
  static String decode(String fileName, byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int line = 1;
      int column = 1;
      out.flip();
      for (int i = 0; i < out.length(); i++) {
        if (out.charAt(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      throw new PolicyParseException(fileName, line, column,
          String.format("the file is not valid UTF-8 (byte 0x%02X at offset %d)", bytes[in.position()] & 0xff, in.position()));
    }
    out.flip();
    return out.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
