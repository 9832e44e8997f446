package io.secretsbroker.server.grpc;

import io.secretsbroker.core.auth.Principal;
import io.secretsbroker.core.auth.TokenStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Resolves a caller's principal: a bearer token when one is presented, otherwise the verified client
 * certificate (SPIFFE URI SAN first, then DNS SAN, then the subject CN).
 */
final class Identity {
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private final TokenStore tokens;

  Identity(TokenStore tokens) {
    this.tokens = tokens;
  }

  /** The principal, or empty when the caller presented nothing valid. */
  Optional<Principal> resolve(String authorizationHeader, SSLSession tls) {
    if (authorizationHeader != null) {
      String h = authorizationHeader.trim();
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return tokens.authenticate(h.substring(7).trim());
      }
      return Optional.empty();
    }
    if (tls != null) {
      try {
        Certificate[] chain = tls.getPeerCertificates();
        if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
          return principalOf(cert).map(name -> new Principal(name, "mtls", Set.of()));
        }
      } catch (SSLPeerUnverifiedException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the presented credentials are known without any lookup: a bearer token cached as valid, or a client
   * certificate the TLS handshake verified. Lets a peer over its failed-authentication limit still use them.
   */
  boolean knownInMemory(String authorizationHeader, SSLSession tls) {
    if (authorizationHeader != null) {
      String h = authorizationHeader.trim();
      return h.regionMatches(true, 0, "Bearer ", 0, 7) && tokens.cachedInMemory(h.substring(7).trim());
    }
    if (tls != null) {
      try {
        return tls.getPeerCertificates().length > 0;
      } catch (SSLPeerUnverifiedException e) {
        return false;
      }
    }
    return false;
  }

  /** The principal name a certificate stands for. */
  static Optional<String> principalOf(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (((Integer) san.get(0)) == SAN_URI && san.get(1).toString().startsWith("spiffe://")) {
            return Optional.of(san.get(1).toString());
          }
        }
        for (List<?> san : sans) {
          if (((Integer) san.get(0)) == SAN_DNS) {
            return Optional.of(san.get(1).toString());
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
