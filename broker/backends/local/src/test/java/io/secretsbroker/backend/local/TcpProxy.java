package io.secretsbroker.backend.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real server, which a test can stop (refusing new connections and
 * cutting open ones) and start again on the same port: a database outage without touching the shared server.
 */
final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private Thread acceptor;
  private int port;

  TcpProxy(InetSocketAddress target) {
    this.target = target;
  }

  /** Starts listening on a free loopback port (the first time) or on the same port again. */
  synchronized TcpProxy start() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    port = s.getLocalPort();
    server = s;
    acceptor = new Thread(() -> acceptLoop(s), "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
    return this;
  }

  /**
   * Stops listening and cuts every open connection. Waits for the accepting thread to leave: the JDK closes a
   * listening socket only then, and until then the kernel still completes new connections.
   */
  synchronized void stop() {
    ServerSocket s = server;
    server = null;
    closeQuietly(s);
    if (acceptor != null) {
      try {
        acceptor.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      acceptor = null;
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  int port() {
    return port;
  }

  @Override
  public void close() {
    stop();
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return;
      }
      if (server != s) {
        closeQuietly(client);
        return;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      pump(client, upstream);
      pump(upstream, client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side or stop() closed the connection
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
