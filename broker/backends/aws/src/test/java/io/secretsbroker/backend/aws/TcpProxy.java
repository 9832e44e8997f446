package io.secretsbroker.backend.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP proxy in front of a server, that a test can take down and bring back on the same port: an outage
 * as the SDK sees it (connections refused, open ones cut) while the server behind keeps its data.
 */
final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private volatile ServerSocket server;
  private final int port;

  private TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.port = open(0);
  }

  /** A proxy on a free loopback port forwarding to {@code targetPort}. */
  static TcpProxy start(int targetPort) throws IOException {
    return new TcpProxy(targetPort);
  }

  /** The endpoint URL of the proxy. */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Refuses new connections and cuts every open one. */
  synchronized void stop() throws IOException {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  synchronized void restart() throws IOException {
    if (server == null) {
      open(port);
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    threads.shutdownNow();
  }

  private int open(int onPort) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
    server = s;
    threads.execute(() -> accept(s));
    return s.getLocalPort();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        sockets.add(client);
        Socket upstream;
        try {
          upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        } catch (IOException e) {
          client.close();
          continue;
        }
        sockets.add(upstream);
        threads.execute(() -> pump(client, upstream));
        threads.execute(() -> pump(upstream, client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
      if (from.isOutputShutdown()) {
        closeQuietly(from);
        closeQuietly(to);
      }
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
