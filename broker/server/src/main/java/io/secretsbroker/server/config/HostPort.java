package io.secretsbroker.server.config;

import io.secretsbroker.spi.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A listen address.
 *
 * @param host a host name or IP literal
 * @param port 0 to 65535 (0 = any free port)
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port}, {@code [v6]:port} or {@code :port} (loopback).
   *
   * @throws ConfigException naming {@code keyPath}
   */
  public static HostPort parse(String keyPath, String text) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon < 0) {
      throw new ConfigException(keyPath + ": expected host:port, got '" + text + "'");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "127.0.0.1";
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(keyPath + ": port must be a number, got '" + t.substring(colon + 1) + "'");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException(keyPath + ": port must be between 0 and 65535, got " + port);
    }
    return new HostPort(host, port);
  }

  /** Whether every address this host resolves to is a loopback address. */
  public boolean isLoopback() {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** This address with another port. */
  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
