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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP relay between brokers and PostgreSQL that a test can cut (open sessions are closed, new ones are
 * closed as soon as they connect, as when the database is down) and restore, without touching the shared server.
 * It can also drop one connection right after it forwards the {@code COMMIT} of an audit append, before the
 * server's answer gets back: the commit happens, but the broker cannot know it.
 */
final class PgProxy implements AutoCloseable {
  private static final String AUDIT_INSERT = "INSERT INTO sb_audit (";
  private static final String COMMIT = "COMMIT";

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean down;
  private volatile boolean open = true;
  private final AtomicBoolean cutAtAuditCommit = new AtomicBoolean();
  private volatile CountDownLatch auditCommitCut = new CountDownLatch(1);

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

  /** The next audit append's connection is dropped right after its COMMIT reaches the server. */
  CountDownLatch cutAtNextAuditCommit() {
    auditCommitCut = new CountDownLatch(1);
    cutAtAuditCommit.set(true);
    return auditCommitCut;
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
    volatile boolean swallowAnswers;
    boolean sawAuditInsert;

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
          if (text.contains(AUDIT_INSERT)) {
            sawAuditInsert = true;
          }
          boolean commit = text.contains(COMMIT);
          boolean cutNow = commit && sawAuditInsert && cutAtAuditCommit.compareAndSet(true, false);
          if (commit) {
            sawAuditInsert = false;
          }
          if (cutNow) {
            swallowAnswers = true;
          }
          out.write(buf, 0, n);
          out.flush();
          if (cutNow) {
            // Give the server time to read and apply the COMMIT, then drop the session before the answer returns.
            Thread.sleep(300);
            auditCommitCut.countDown();
            close();
            return;
          }
        }
      } catch (IOException e) {
        // the other side closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    private void serverToClient() {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (!swallowAnswers) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // the other side closed
      } finally {
        close();
      }
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
    open = false;
    server.close();
    cut();
  }
}
