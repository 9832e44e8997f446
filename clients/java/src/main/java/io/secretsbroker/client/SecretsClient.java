package io.secretsbroker.client;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.secretsbroker.client.Invoker.Retry;
import io.secretsbroker.proto.v1.BatchGetResult;
import io.secretsbroker.proto.v1.BatchGetSecretsRequest;
import io.secretsbroker.proto.v1.DeleteSecretRequest;
import io.secretsbroker.proto.v1.DescribeSecretRequest;
import io.secretsbroker.proto.v1.GetSecretRequest;
import io.secretsbroker.proto.v1.ListSecretsRequest;
import io.secretsbroker.proto.v1.ListSecretsResponse;
import io.secretsbroker.proto.v1.PageRequest;
import io.secretsbroker.proto.v1.PutSecretRequest;
import io.secretsbroker.proto.v1.SecretsServiceGrpc;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A client of the Secrets Broker. Thread-safe; create one per process with {@link #builder()} and {@link #close()}
 * it on shutdown.
 *
 * <p>Every unary call carries the configured bearer token and a deadline (5 s by default). Calls that may be
 * repeated safely are retried on {@code UNAVAILABLE} up to {@link Builder#maxRetries} times with jittered
 * exponential backoff; a put without check-and-set is not retried, since a lost response would write a second
 * version. Every failure is a {@link SecretsBrokerException}.
 *
 * <pre>{@code
 * try (SecretsClient client = SecretsClient.builder().address("127.0.0.1:7700").plaintext().build()) {
 *   Secret password = client.get("trading/db-password");
 *   connect(password.valueAsString());
 * }
 * }</pre>
 */
public final class SecretsClient implements AutoCloseable {
  /** Environment variable with the broker address, read when {@link Builder#address} is not called. */
  public static final String ADDRESS_ENV = "SECRETS_BROKER_ADDR";
  /** Environment variable with the bearer token, read when {@link Builder#token} is not called. */
  public static final String TOKEN_ENV = "SECRETS_BROKER_TOKEN";
  /** The address used when none is configured. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7700";
  /** The per-call deadline used when none is configured. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
  /** How many times an {@code UNAVAILABLE} call is retried when not configured. */
  public static final int DEFAULT_MAX_RETRIES = 3;
  /** The upper bound of {@link Builder#maxRetries}. */
  public static final int MAX_RETRIES_LIMIT = 10;
  /** The first retry's backoff when not configured. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  /** The longest retry backoff when not configured. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);
  /** The longest wait before re-opening a broken watch stream. */
  public static final Duration MAX_RECONNECT_BACKOFF = Duration.ofSeconds(30);
  /** The poll interval of a subscription whose stream is broken when the broker gave no cache TTL. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
  /** At most this many names go in one BatchGetSecrets request. */
  static final int BATCH_LIMIT = 100;

  private final ManagedChannel channel;
  private final Invoker invoker;
  private final SecretsServiceGrpc.SecretsServiceBlockingStub secrets;
  private final SecretsServiceGrpc.SecretsServiceStub secretsAsync;
  private final Backoff reconnectBackoff;
  private final Scheduler scheduler;
  private final Set<AutoCloseable> streams = ConcurrentHashMap.newKeySet();
  private final RotationClient rotation;
  private final RevocationClient revocation;
  private final AuditClient audit;
  private final AdminClient admin;

  private SecretsClient(Builder b, ManagedChannel channel, String token) {
    this.channel = channel;
    RandomGenerator random = b.random != null ? b.random : ThreadLocalRandom.current();
    this.invoker =
        new Invoker(b.deadline, b.maxRetries, new Backoff(b.initialBackoff, b.maxBackoff, random), b.sleeper);
    this.reconnectBackoff = new Backoff(b.initialBackoff, MAX_RECONNECT_BACKOFF, random);
    this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.singleThread();
    BearerToken credentials = token == null ? null : new BearerToken(token);
    this.secrets = BearerToken.attach(SecretsServiceGrpc.newBlockingStub(channel), credentials);
    this.secretsAsync = BearerToken.attach(SecretsServiceGrpc.newStub(channel), credentials);
    this.rotation = new RotationClient(channel, credentials, invoker);
    this.revocation = new RevocationClient(channel, credentials, invoker);
    this.audit = new AuditClient(channel, credentials, invoker);
    this.admin = new AdminClient(channel, credentials, invoker);
  }

  /** A new builder; see {@link Builder} for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The current version of a secret.
   *
   * @throws SecretNotFoundException if there is no such secret or it has no current version
   * @throws FailedPreconditionException if the current version has been revoked
   * @throws SecretsBrokerException for any other failure
   */
  public Secret get(String name) {
    return get(GetSecretRequest.newBuilder().setName(requireName(name)).build());
  }

  /** The version of a secret holding {@code stage}; errors as {@link #get(String)}. */
  public Secret get(String name, Stage stage) {
    Objects.requireNonNull(stage, "stage");
    return get(GetSecretRequest.newBuilder().setName(requireName(name)).setStage(stage.toProto()).build());
  }

  /** One version of a secret by its id; errors as {@link #get(String)}. */
  public Secret getVersion(String name, String version) {
    Objects.requireNonNull(version, "version");
    return get(GetSecretRequest.newBuilder().setName(requireName(name)).setVersion(version).build());
  }

  private Secret get(GetSecretRequest request) {
    return Protos.secret(invoker.call(secrets, Retry.IDEMPOTENT, s -> s.getSecret(request)));
  }

  /** Reads the current version of several secrets; see {@link #batchGet(Collection)}. */
  public List<BatchItem> batchGet(String... names) {
    return batchGet(List.of(names));
  }

  /**
   * Reads the current version of several secrets; each read succeeds or fails on its own. More than 100 names
   * are sent in several requests.
   *
   * @return one item per name, in the order given
   * @throws SecretsBrokerException if a request as a whole fails
   */
  public List<BatchItem> batchGet(Collection<String> names) {
    List<String> all = List.copyOf(names);
    List<BatchItem> items = new ArrayList<>(all.size());
    for (int from = 0; from < all.size(); from += BATCH_LIMIT) {
      BatchGetSecretsRequest.Builder request = BatchGetSecretsRequest.newBuilder();
      for (String name : all.subList(from, Math.min(all.size(), from + BATCH_LIMIT))) {
        request.addRequests(GetSecretRequest.newBuilder().setName(requireName(name)));
      }
      BatchGetSecretsRequest built = request.build();
      List<BatchGetResult> results =
          invoker.call(secrets, Retry.IDEMPOTENT, s -> s.batchGetSecrets(built)).getResultsList();
      for (BatchGetResult result : results) {
        items.add(result.hasSecret()
            ? new BatchItem(result.getName(), Protos.secret(result.getSecret()), null)
            : new BatchItem(result.getName(), null, SecretsBrokerException.of(
                ErrorCode.fromName(result.getError().getCode()), result.getError().getMessage(), null)));
      }
    }
    return items;
  }

  /**
   * Writes a new version, which becomes current (the old current becomes previous). Not retried.
   *
   * @return the version written
   */
  public VersionMetadata put(String name, byte[] value) {
    PutSecretRequest request = PutSecretRequest.newBuilder()
        .setName(requireName(name)).setValue(ByteString.copyFrom(value)).build();
    return Protos.version(invoker.call(secrets, Retry.NEVER, s -> s.putSecret(request)).getVersion());
  }

  /**
   * Writes a new version only if the current version is still {@code expectedCurrentVersion} (check-and-set);
   * {@code ""} means the secret must not exist yet.
   *
   * @return the version written
   * @throws FailedPreconditionException if the current version is another one
   */
  public VersionMetadata put(String name, byte[] value, String expectedCurrentVersion) {
    PutSecretRequest request = PutSecretRequest.newBuilder()
        .setName(requireName(name))
        .setValue(ByteString.copyFrom(value))
        .setExpectedCurrentVersion(Objects.requireNonNull(expectedCurrentVersion, "expectedCurrentVersion"))
        .build();
    return Protos.version(invoker.call(secrets, Retry.IDEMPOTENT, s -> s.putSecret(request)).getVersion());
  }

  /** Every secret the caller may list; see {@link #list(String)}. */
  public Stream<SecretSummary> list() {
    return list("");
  }

  /**
   * The secrets whose names start with {@code prefix}, in name order. The stream is lazy: each page is fetched
   * when iteration reaches it, so a failure surfaces as a {@link SecretsBrokerException} from the stream.
   */
  public Stream<SecretSummary> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return Pager.stream(
        token -> invoker.call(secrets, Retry.IDEMPOTENT, s -> s.listSecrets(ListSecretsRequest.newBuilder()
            .setPrefix(prefix).setPage(PageRequest.newBuilder().setPageToken(token)).build())),
        (ListSecretsResponse r) -> r.getSecretsList().stream()
            .map(x -> new SecretSummary(x.getName(), x.getCurrentVersion(),
                Protos.instant(x.hasCreatedTime(), x.getCreatedTime()),
                Protos.instant(x.hasUpdatedTime(), x.getUpdatedTime())))
            .toList(),
        ListSecretsResponse::getNextPageToken);
  }

  /** A secret's versions, stages, rotation policy and times; never its value. */
  public SecretDescription describe(String name) {
    DescribeSecretRequest request = DescribeSecretRequest.newBuilder().setName(requireName(name)).build();
    return Protos.description(invoker.call(secrets, Retry.IDEMPOTENT, s -> s.describeSecret(request)));
  }

  /** Deletes a secret and all its versions. */
  public void delete(String name) {
    DeleteSecretRequest request = DeleteSecretRequest.newBuilder().setName(requireName(name)).build();
    invoker.call(secrets, Retry.IDEMPOTENT, s -> s.deleteSecret(request));
  }

  /**
   * Streams change events for secrets under {@code prefixes} (every secret the caller may read when empty). A
   * broken stream is re-opened after a jittered backoff, resuming after the last event received. The stream has
   * no deadline. Closing the client closes the watch.
   */
  public Watch watch(Collection<String> prefixes, WatchListener listener) {
    WatchStream watch = new WatchStream(
        secretsAsync, List.copyOf(prefixes), Objects.requireNonNull(listener, "listener"), scheduler,
        reconnectBackoff, streams::remove);
    streams.add(watch);
    watch.start();
    return watch;
  }

  /**
   * Reads the current version of {@code name}, passes it to {@code onChange}, and keeps it up to date: events for
   * the name trigger a re-read (a revoked current version is dropped at once), and while the event stream is
   * broken the value is polled every cache TTL. {@code onChange} is called again with each new version, from a
   * client thread.
   *
   * @throws SecretsBrokerException if the first read fails
   */
  public Subscription subscribe(String name, Consumer<Secret> onChange) {
    SecretSubscription subscription =
        new SecretSubscription(this, requireName(name), Objects.requireNonNull(onChange, "onChange"), scheduler,
            streams::remove);
    streams.add(subscription);
    try {
      subscription.start();
    } catch (RuntimeException e) {
      subscription.close();
      throw e;
    }
    return subscription;
  }

  /** Rotation: rotate now, status, due secrets, policies. */
  public RotationClient rotation() {
    return rotation;
  }

  /** Revocation of secret versions. */
  public RevocationClient revocation() {
    return revocation;
  }

  /** The audit log: query, chain verification, access summaries. */
  public AuditClient audit() {
    return audit;
  }

  /** Tokens and policy checks. */
  public AdminClient admin() {
    return admin;
  }

  /** Closes watches and subscriptions, then shuts the channel down, waiting up to 5 s for calls in flight. */
  @Override
  public void close() {
    for (AutoCloseable stream : List.copyOf(streams)) {
      try {
        stream.close();
      } catch (Exception ignored) {
        // Watch and Subscription close without throwing.
      }
    }
    scheduler.shutdown();
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static String requireName(String name) {
    return Objects.requireNonNull(name, "name");
  }

  /**
   * Configures a {@link SecretsClient}. Defaults: address from {@code SECRETS_BROKER_ADDR} or {@value
   * SecretsClient#DEFAULT_ADDRESS}; TLS with the system's trusted roots; token from {@code SECRETS_BROKER_TOKEN}
   * or none; deadline 5 s; 3 retries of {@code UNAVAILABLE} with backoff from 100 ms to 2 s. Not thread-safe.
   */
  public static final class Builder {
    private enum Transport { PLAINTEXT, TLS }

    private String address;
    private Transport transport;
    private Path caPem;
    private Path certPem;
    private Path keyPem;
    private String token;
    private Duration deadline = DEFAULT_DEADLINE;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Function<String, String> environment = System::getenv;
    private ManagedChannel channel;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Scheduler scheduler;
    private RandomGenerator random;

    private Builder() {}

    /** The broker's {@code host:port}; IPv6 literals in brackets, e.g. {@code [::1]:7700}. */
    public Builder address(String address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Connects without TLS. {@link #build()} refuses this unless the address is loopback ({@code localhost},
     * {@code 127.0.0.0/8} or {@code ::1}).
     */
    public Builder plaintext() {
      setTransport(Transport.PLAINTEXT);
      return this;
    }

    /** Connects with TLS, trusting the system's roots (the default). */
    public Builder tls() {
      setTransport(Transport.TLS);
      return this;
    }

    /** Connects with TLS, trusting only the CA certificates in the PEM file {@code caPem}. */
    public Builder tls(Path caPem) {
      setTransport(Transport.TLS);
      this.caPem = Objects.requireNonNull(caPem, "caPem");
      return this;
    }

    /**
     * Connects with mutual TLS: trusts the CAs in {@code caPem} and presents the certificate chain in {@code
     * certPem} with the PKCS#8 private key in {@code keyPem}.
     */
    public Builder mtls(Path caPem, Path certPem, Path keyPem) {
      tls(caPem);
      this.certPem = Objects.requireNonNull(certPem, "certPem");
      this.keyPem = Objects.requireNonNull(keyPem, "keyPem");
      return this;
    }

    /** The bearer token sent as {@code authorization: Bearer <token>} on every call. Never logged. */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("token must not be blank");
      }
      this.token = token.strip();
      return this;
    }

    /** The deadline of each call (each attempt, when retried); default 5 s. */
    public Builder deadline(Duration deadline) {
      requirePositive(deadline, "deadline");
      this.deadline = deadline;
      return this;
    }

    /** How many times a call failing with {@code UNAVAILABLE} is retried, 0 to 10; default 3. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
        throw new IllegalArgumentException("maxRetries must be in [0, " + MAX_RETRIES_LIMIT + "], got " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * The backoff before the first retry and its upper bound; each retry doubles it, and waits a random time
     * between half of it and all of it. Defaults 100 ms and 2 s.
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      requirePositive(initial, "initial backoff");
      requirePositive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " is less than initial backoff " + initial);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Where defaults for the address and token are read; {@code System::getenv} by default. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** Uses {@code channel} instead of opening one (tests); the client shuts it down on close. */
    Builder channel(ManagedChannel channel) {
      this.channel = channel;
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * A connected client. The connection is made lazily, so this does not fail when the broker is down.
     *
     * @throws IllegalArgumentException if the address does not parse, plaintext is asked for a non-loopback
     *     address, or a PEM file cannot be read
     */
    public SecretsClient build() {
      String tokenValue = token != null ? token : blankToNull(environment.apply(TOKEN_ENV));
      if (channel != null) {
        return new SecretsClient(this, channel, tokenValue);
      }
      String configured = address != null ? address : blankToNull(environment.apply(ADDRESS_ENV));
      Address target = Address.parse(configured != null ? configured : DEFAULT_ADDRESS);
      ChannelCredentials credentials;
      if (transport == Transport.PLAINTEXT) {
        if (!target.isLoopback()) {
          throw new IllegalArgumentException("plaintext is allowed only for loopback addresses, got " + target
              + "; connect with TLS instead");
        }
        credentials = InsecureChannelCredentials.create();
      } else {
        credentials = tlsCredentials();
      }
      ManagedChannel opened;
      try {
        opened = Grpc.newChannelBuilderForAddress(target.host(), target.port(), credentials)
            .userAgent("secrets-broker-java")
            .build();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cannot set up the connection to " + target
            + (caPem == null ? "" : " with CA certificate file " + caPem)
            + (certPem == null ? "" : ", client certificate " + certPem + " and key " + keyPem)
            + ": " + e.getMessage(), e);
      }
      return new SecretsClient(this, opened, tokenValue);
    }

    private ChannelCredentials tlsCredentials() {
      if (caPem == null) {
        return TlsChannelCredentials.create();
      }
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      try {
        tls.trustManager(readable(caPem, "CA certificate"));
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot use CA certificate file " + caPem + ": " + safe(e), e);
      }
      if (certPem != null) {
        try {
          tls.keyManager(readable(certPem, "client certificate"), readable(keyPem, "client key"));
        } catch (IOException | IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "cannot use client certificate " + certPem + " with key " + keyPem + ": " + safe(e), e);
        }
      }
      return tls.build();
    }

    private static File readable(Path path, String what) {
      if (!Files.isReadable(path)) {
        throw new IllegalArgumentException(what + " file is missing or unreadable");
      }
      return path.toFile();
    }

    private static String safe(Exception e) {
      return e instanceof IllegalArgumentException ? e.getMessage() : e.getClass().getSimpleName();
    }

    private void setTransport(Transport wanted) {
      if (transport != null && transport != wanted) {
        throw new IllegalStateException("transport was already set to " + transport.name().toLowerCase());
      }
      transport = wanted;
    }

    private static void requirePositive(Duration duration, String what) {
      Objects.requireNonNull(duration, what);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + duration);
      }
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value.strip();
    }

    /** The settings, without the token. */
    @Override
    public String toString() {
      return "SecretsClient.Builder[address=" + address + ", transport=" + transport + ", token="
          + (token == null ? "unset" : "[REDACTED]") + ", deadline=" + deadline + ", maxRetries=" + maxRetries + "]";
    }
  }
}
