package io.secretsbroker.audit.s3;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the S3 anchor and archive from a location {@code s3://bucket/prefix}, with the conventions of the AWS
 * backend: the URL-connection HTTP client and the SDK's default credentials chain (environment, profile, web
 * identity, container or instance role). The region is {@value #REGION_ENV} or else the SDK's default region chain;
 * {@value #ENDPOINT_ENV} points the client at another S3-compatible endpoint (path-style requests; plain http only to
 * a loopback host).
 */
public final class S3Stores {
  /** Environment variable: the S3 endpoint to use instead of AWS's (e.g. a local emulator). */
  public static final String ENDPOINT_ENV = "SECRETS_BROKER_AUDIT_S3_ENDPOINT";
  /** Environment variable: the bucket's region. */
  public static final String REGION_ENV = "AWS_REGION";
  /** Connection and socket timeout of every call. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");

  private S3Stores() {}

  /**
   * An anchor at {@code location}.
   *
   * @throws IllegalArgumentException when the location, the endpoint or the region is not valid or not found
   */
  public static S3Anchor anchor(String location, Map<String, String> env) {
    S3Location at = S3Location.parse(location);
    return new S3Anchor(client(env), at);
  }

  /**
   * An archive at {@code location}.
   *
   * @throws IllegalArgumentException when the location, the endpoint or the region is not valid or not found
   */
  public static S3Archive archive(String location, Map<String, String> env) {
    S3Location at = S3Location.parse(location);
    return new S3Archive(client(env), at);
  }

  /** A client configured from {@code env} with the default credentials chain. */
  static S3Client client(Map<String, String> env) {
    Optional<URI> endpoint = Optional.ofNullable(env.get(ENDPOINT_ENV)).filter(s -> !s.isBlank())
        .map(S3Stores::endpoint);
    Optional<String> region = Optional.ofNullable(env.get(REGION_ENV)).filter(s -> !s.isBlank());
    return client(region.map(S3Stores::region).orElseGet(() -> defaultRegion(endpoint.isPresent())), endpoint,
        DefaultCredentialsProvider.builder().build());
  }

  /** A client for {@code region}, {@code endpoint} if any, and {@code credentials} (tests pass static ones). */
  static S3Client client(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
    S3ClientBuilder b = S3Client.builder()
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(TIMEOUT).socketTimeout(TIMEOUT));
    endpoint.ifPresent(uri -> b.endpointOverride(uri).forcePathStyle(true));
    return b.build();
  }

  private static Region region(String name) {
    if (!REGION.matcher(name).matches()) {
      throw new IllegalArgumentException(REGION_ENV + ": expected an AWS region like eu-west-1, got '" + name + "'");
    }
    return Region.of(name);
  }

  private static Region defaultRegion(boolean endpointSet) {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      if (endpointSet) {
        return Region.US_EAST_1; // an S3-compatible endpoint: the region only enters the signature
      }
      throw new IllegalArgumentException("no AWS region found for S3: set " + REGION_ENV + " to the bucket's region");
    }
  }

  /** Parses the endpoint: {@code https://host[:port]}, or {@code http://} to a loopback host only. */
  static URI endpoint(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(ENDPOINT_ENV + ": expected a URL like https://s3.eu-west-1.amazonaws.com");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
      throw new IllegalArgumentException(ENDPOINT_ENV + ": expected an http(s) URL with a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(ENDPOINT_ENV + ": must not contain credentials; the SDK's credentials"
          + " chain supplies them");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new IllegalArgumentException(ENDPOINT_ENV + ": expected scheme, host and port only");
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(ENDPOINT_ENV + ": plain http is only allowed to a loopback host; use https"
          + " for '" + uri.getHost() + "'");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false; // a DNS name: never resolved here
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
