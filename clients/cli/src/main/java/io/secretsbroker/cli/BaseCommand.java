package io.secretsbroker.cli;

import io.secretsbroker.client.SecretsClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every leaf command shares: the run's client, streams and helpers. Returns an exit code. */
abstract class BaseCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  Root root() {
    return (Root) spec.root().userObject();
  }

  SecretsClient client() {
    return root().client();
  }

  Sbctl io() {
    return root().io;
  }

  PrintStream out() {
    return io().out;
  }

  /** Prints {@code text} and a newline to stdout as UTF-8. */
  void println(String text) {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    out().write(bytes, 0, bytes.length);
  }

  /** Prints {@code text} as is (no newline added) to stdout as UTF-8. */
  void print(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out().write(bytes, 0, bytes.length);
  }

  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** A command group: run without a subcommand, it prints its usage and fails. */
  abstract static class Group implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      throw new ParameterException(spec.commandLine(), "missing subcommand");
    }
  }
}
