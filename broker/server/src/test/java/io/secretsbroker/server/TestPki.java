package io.secretsbroker.server;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway certificate authority for TLS tests: CA, server and client certificates as PEM files. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate caCert;

  public TestPki(Path dir) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    caKeys = keys();
    X500Name name = new X500Name("CN=Secrets Broker Test CA");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), notBefore(), notAfter(), name,
        caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    caCert = sign(b, caKeys.getPrivate());
    write("ca.pem", caCert);
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(1, ChronoUnit.HOURS));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(1, ChronoUnit.DAYS));
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private Path write(String file, Object pem) throws Exception {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(pem);
    }
    Path p = dir.resolve(file);
    Files.writeString(p, sw.toString());
    return p;
  }

  /** The CA certificate file. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Issues a certificate with the given CN and subject alternative names; returns {cert file, key file}. */
  public Path[] issue(String label, String cn, GeneralName... sans) throws Exception {
    KeyPair kp = keys();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore(), notAfter(),
        new X500Name("CN=" + cn), kp.getPublic());
    if (sans.length > 0) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    }
    X509Certificate cert = sign(b, caKeys.getPrivate());
    Path certFile = write(label + ".pem", cert);
    Path keyFile = write(label + "-key.pem", new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(),
        null));
    return new Path[] {certFile, keyFile};
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  public Path[] server() throws Exception {
    return issue("server", "localhost", new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost"));
  }
}
