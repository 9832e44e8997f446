package io.secretsbroker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsbroker.client.FakeBroker;
import io.secretsbroker.client.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sbctl's --ca/--cert/--key against a loopback server that requires mutual TLS. */
class CliTlsIT {
  @TempDir
  static Path dir;

  static TestPki pki;
  static FakeBroker fake;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create(dir);
    fake = FakeBroker.mutualTls(pki);
    fake.seed("app/db", "tls-value");
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @Test
  void mutualTls_withCaCertAndKey() {
    CliRun r = new CliRun(dir).run("get", "app/db", "--addr", fake.address(),
        "--ca", "ca.pem", "--cert", "client.pem", "--key", "client.key");

    assertThat(r.exit).as(r.toString()).isZero();
    assertThat(r.out).isEqualTo("tls-value");
  }

  @Test
  void withoutTheClientCertificate_theHandshakeFails() {
    CliRun r = new CliRun(dir).run("get", "app/db", "--addr", fake.address(), "--ca", "ca.pem", "--retries", "0");

    assertThat(r.exit).as(r.toString()).isEqualTo(1);
    assertThat(r.err).startsWith("error: UNAVAILABLE: ").doesNotContain("\tat ");
  }

  @Test
  void missingCaFile_isUsage() {
    CliRun r = new CliRun(dir).run("get", "app/db", "--addr", fake.address(), "--ca", "nope.pem");

    assertThat(r.exit).as(r.toString()).isEqualTo(2);
    assertThat(r.err).startsWith("error: cannot use CA certificate file");
  }
}
