package io.secretsbroker.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Finds {@code policies-hcl/} at the repository root and reads its "|"-separated tables. */
final class GoldenFiles {
  private GoldenFiles() {}

  /** Returns {@code policies-hcl/}, found relative to this module's folder ({@code ../../}). */
  static Path policiesRoot() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path root = module.resolve("../../policies-hcl").normalize();
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("policies-hcl/ not found at " + root + " (expected two folders above broker/policy)");
    }
    return root;
  }

  /** One row of a golden table: its cells and its 1-based line number in the file. */
  record Row(List<String> cells, int line) {
    String cell(int i) {
      return i < cells.size() ? cells.get(i) : "";
    }

    @Override
    public String toString() {
      return "line " + line + ": " + String.join(" | ", cells);
    }
  }

  /** Reads a table: blank lines and lines starting with '#' are skipped; cells are trimmed. */
  static List<Row> table(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String cell : line.split("\\|", -1)) {
        cells.add(cell.trim());
      }
      rows.add(new Row(cells, i + 1));
    }
    return rows;
  }

  /** Parses a comma-separated list of policy names; {@code -} is the empty set. */
  static Set<String> names(String cell) {
    if (cell.equals("-") || cell.isEmpty()) {
      return Set.of();
    }
    return new TreeSet<>(Arrays.asList(cell.split(",")));
  }

  /** Unquotes {@code ""}-wrapped cells, so that {@code ""} is the empty string. */
  static String unquote(String cell) {
    if (cell.length() >= 2 && cell.startsWith("\"") && cell.endsWith("\"")) {
      return cell.substring(1, cell.length() - 1);
    }
    return cell;
  }
}
