package io.secretsbroker.server.ha;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback TCP relay between brokers and PostgreSQL that a test can cut (open sessions are closed, new ones are
 * closed as soon as they connect, as when the database is down) and restore, without touching the shared server.
 * It can also drop the session of the broker's audit indexer in the middle of one index batch ({@link IndexCut}).
 */
final class PgProxy implements AutoCloseable {
  private static final String INDEX_INSERT = "INSERT INTO sb_audit_index (";
  private static final String COMMIT = "COMMIT";

  /** Where {@link #dropNextIndexBatch} drops the audit indexer's session. */
  enum IndexCut {
    /** Right after the batch's INSERT reaches the server, before the transaction commits: the server rolls it back. */
    AFTER_THE_INSERT,
    /**
     * Once the server has committed the batch and answered, before the answer gets back: the rows are in, but the
     * indexer cannot know it.
     */
    AFTER_THE_COMMIT
  }

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean down;
  private volatile boolean open = true;
  private final AtomicReference<IndexCut> indexCut = new AtomicReference<>();
  private volatile CountDownLatch indexBatchDropped = new CountDownLatch(1);
  private volatile CountDownLatch frozenMidBatch;
  private final Object thawed = new Object();
  private volatile boolean frozen;

  PgProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "pg-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Cuts every open session and refuses new ones until {@link #restore()}. */
  void cut() {
    down = true;
    for (Link l : links) {
      l.close();
    }
  }

  /** Lets sessions through again. */
  void restore() {
    down = false;
  }

  /**
   * The session that carries the next audit index batch is dropped at {@code where}.
   *
   * @return counted down once the session has been dropped
   */
  CountDownLatch dropNextIndexBatch(IndexCut where) {
    indexBatchDropped = new CountDownLatch(1);
    indexCut.set(where);
    return indexBatchDropped;
  }

  /**
   * Freezes every session of this proxy right after the next audit index INSERT reaches the server: that replica's
   * indexer then sits inside an open transaction, holding whatever it locked, until {@link #thaw()}.
   *
   * @return counted down once the sessions are frozen
   */
  CountDownLatch freezeMidNextIndexBatch() {
    frozenMidBatch = new CountDownLatch(1);
    return frozenMidBatch;
  }

  /** Lets frozen sessions move again. */
  void thaw() {
    synchronized (thawed) {
      frozen = false;
      thawed.notifyAll();
    }
  }

  private void awaitThawed() {
    synchronized (thawed) {
      while (frozen && open) {
        try {
          thawed.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void acceptLoop() {
    while (open) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (down) {
        closeQuietly(client);
        continue;
      }
      try {
        client.setTcpNoDelay(true);
        Socket upstream = new Socket();
        upstream.setTcpNoDelay(true);
        upstream.connect(target, 3_000);
        Link link = new Link(client, upstream);
        links.add(link);
        link.start();
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  /** One relayed session. */
  private final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean dropOnAnswer;
    boolean sawIndexInsert;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      Thread up = new Thread(this::clientToServer, "pg-proxy-up");
      Thread downstream = new Thread(this::serverToClient, "pg-proxy-down");
      up.setDaemon(true);
      downstream.setDaemon(true);
      up.start();
      downstream.start();
    }

    private void clientToServer() {
      byte[] buf = new byte[16 * 1024];
      String carry = "";
      try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          String text = carry + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
          carry = text.substring(Math.max(0, text.length() - 32));
          if (text.contains(INDEX_INSERT)) {
            sawIndexInsert = true;
          }
          boolean dropNow = sawIndexInsert && indexCut.compareAndSet(IndexCut.AFTER_THE_INSERT, null);
          boolean commit = text.contains(COMMIT);
          if (commit && sawIndexInsert && indexCut.compareAndSet(IndexCut.AFTER_THE_COMMIT, null)) {
            dropOnAnswer = true; // the driver sends COMMIT only once every earlier answer is in
          }
          if (commit) {
            sawIndexInsert = false;
          }
          awaitThawed();
          out.write(buf, 0, n);
          out.flush();
          if (dropNow) {
            dropped();
            return;
          }
          CountDownLatch freeze = frozenMidBatch;
          if (freeze != null && text.contains(INDEX_INSERT)) {
            frozenMidBatch = null;
            frozen = true;
            freeze.countDown();
          }
        }
      } catch (IOException e) {
        // the other side closed
      } finally {
        close();
      }
    }

    private void serverToClient() {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (dropOnAnswer) {
            dropped(); // the server answered the COMMIT, so it has applied it; the broker never hears so
            return;
          }
          awaitThawed();
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed
      } finally {
        close();
      }
    }

    private void dropped() {
      close();
      indexBatchDropped.countDown();
    }

    void close() {
      links.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    thaw();
    open = false;
    server.close();
    cut();
  }
}
