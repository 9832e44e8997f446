package io.secretsbroker.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, written as PEM files for TLS
 * tests: {@code ca.pem}, {@code server.pem}/{@code server.key}, {@code client.pem}/{@code client.key}.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  public final Path ca;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;

  private TestPki(Path dir) {
    this.ca = dir.resolve("ca.pem");
    this.serverCert = dir.resolve("server.pem");
    this.serverKey = dir.resolve("server.key");
    this.clientCert = dir.resolve("client.pem");
    this.clientKey = dir.resolve("client.key");
  }

  /** Creates the CA and both leaf certificates in {@code dir}. */
  public static TestPki create(Path dir) {
    TestPki pki = new TestPki(dir);
    try {
      KeyPair caKeys = keyPair();
      X500Name caName = new X500Name("CN=Test CA");
      X509Certificate caCert = sign(caName, caKeys, caName, caKeys.getPublic(), true, null);
      write(pki.ca, "CERTIFICATE", caCert.getEncoded());

      KeyPair serverKeys = keyPair();
      X509Certificate server = sign(caName, caKeys, new X500Name("CN=127.0.0.1"), serverKeys.getPublic(), false,
          new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
      write(pki.serverCert, "CERTIFICATE", server.getEncoded());
      writeKey(pki.serverKey, serverKeys.getPrivate());

      KeyPair clientKeys = keyPair();
      X509Certificate client = sign(caName, caKeys, new X500Name("CN=ci-runner"), clientKeys.getPublic(), false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://test/ci-runner")));
      write(pki.clientCert, "CERTIFICATE", client.getEncoded());
      writeKey(pki.clientKey, clientKeys.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create the test PKI", e);
    }
    return pki;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
      java.security.PublicKey subjectKey, boolean ca, GeneralNames san)
      throws IOException, OperatorCreationException, GeneralSecurityException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(1, ChronoUnit.HOURS)),
        Date.from(now.plus(1, ChronoUnit.DAYS)), subject, subjectKey);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (san != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, san);
    }
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static void writeKey(Path path, PrivateKey key) throws IOException {
    write(path, "PRIVATE KEY", key.getEncoded());
  }

  private static void write(Path path, String type, byte[] der) {
    String pem = "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
    try {
      Files.writeString(path, pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
