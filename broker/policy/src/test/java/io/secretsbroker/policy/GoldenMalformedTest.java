package io.secretsbroker.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsbroker.policy.GoldenFiles.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file of {@code policies-hcl/golden/malformed/} fails at the line:column its table names. */
class GoldenMalformedTest {
  private static final Path DIR = GoldenFiles.policiesRoot().resolve("golden/malformed");

  static Stream<Row> expected() {
    return GoldenFiles.table(DIR.resolve("expected.txt")).stream();
  }

  @Test
  void table_coversEveryMalformedFile() throws IOException {
    Set<String> files;
    try (Stream<Path> list = Files.list(DIR)) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hcl") || n.endsWith(".json")).collect(Collectors.toCollection(TreeSet::new));
    }
    List<String> listed = expected().map(r -> r.cell(0)).collect(Collectors.toList());
    assertThat(listed).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(listed)).isEqualTo(files);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void malformedFile_isRejectedAtItsPosition(Row row) throws IOException {
    String fileName = row.cell(0);
    String text = Files.readString(DIR.resolve(fileName), StandardCharsets.UTF_8);
    String[] position = row.cell(1).split(":");

    PolicyParseException e = catchThrowableOfType(PolicyParseException.class,
        () -> Policy.parse("malformed", fileName, text));

    assertThat(e).as(row + " was accepted").isNotNull();
    assertThat(e.fileName()).isEqualTo(fileName);
    assertThat(e.line() + ":" + e.column()).as(e.getMessage()).isEqualTo(position[0] + ":" + position[1]);
    assertThat(e.detail()).as(e.getMessage()).contains(row.cell(2));
    assertThat(e.getMessage()).startsWith(fileName + ":" + row.cell(1) + ": ");
  }
}
