package io.secretsbroker.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed {@code host:port} broker address. */
record Address(String host, int port) {
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /**
   * Parses {@code host:port}, {@code [ipv6]:port} or {@code ipv4:port}.
   *
   * @throws IllegalArgumentException naming the address when it does not parse
   */
  static Address parse(String address) {
    Matcher m = HOST_PORT.matcher(address.strip());
    int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "address must be host:port (e.g. 127.0.0.1:7700 or [::1]:7700), got \"" + address + "\"");
    }
    String host = m.group(1);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Address(host, port);
  }

  /** Whether the host is {@code localhost} or a loopback IP literal; never resolves a name through DNS. */
  boolean isLoopback() {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IPV4.matcher(host).matches() && !host.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
