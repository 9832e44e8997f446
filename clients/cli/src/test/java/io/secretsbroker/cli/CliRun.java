package io.secretsbroker.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code sbctl} in-process and captures its exit code, stdout (bytes) and stderr. */
final class CliRun {
  static final Instant NOW = Instant.parse("2026-02-01T00:00:00Z");

  final Map<String, String> env = new HashMap<>();
  final Path workDir;
  byte[] stdin = new byte[0];
  PolicyChecker policyChecker = new HclPolicyChecker();

  int exit;
  byte[] outBytes;
  String out;
  String err;

  CliRun(Path workDir) {
    this.workDir = workDir;
  }

  CliRun stdin(String text) {
    return stdin(text.getBytes(StandardCharsets.UTF_8));
  }

  CliRun stdin(byte[] bytes) {
    this.stdin = bytes;
    return this;
  }

  /** Runs {@code args}; returns this, with exit, out and err set. */
  CliRun run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    exit = new Sbctl(env, workDir, new ByteArrayInputStream(stdin),
        new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
        Clock.fixed(NOW, ZoneOffset.UTC), policyChecker).run(args);
    outBytes = o.toByteArray();
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return this;
  }

  @Override
  public String toString() {
    return "exit=" + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
