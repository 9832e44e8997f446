package io.secretsbroker.backend.aws;

import io.secretsbroker.spi.Stage;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the broker's stages to AWS staging labels: {@code CURRENT ↔ AWSCURRENT}, {@code PREVIOUS ↔ AWSPREVIOUS},
 * {@code PENDING ↔ AWSPENDING}. Other labels a version may carry are not stages.
 */
final class AwsStages {
  static final String CURRENT = "AWSCURRENT";
  static final String PREVIOUS = "AWSPREVIOUS";
  static final String PENDING = "AWSPENDING";

  private AwsStages() {}

  /** The AWS staging label of {@code stage}. */
  static String label(Stage stage) {
    return switch (stage) {
      case CURRENT -> CURRENT;
      case PREVIOUS -> PREVIOUS;
      case PENDING -> PENDING;
    };
  }

  /** The stages among {@code labels} (null is none). */
  static Set<Stage> stages(Collection<String> labels) {
    Set<Stage> stages = EnumSet.noneOf(Stage.class);
    if (labels != null) {
      for (String l : labels) {
        switch (l) {
          case CURRENT -> stages.add(Stage.CURRENT);
          case PREVIOUS -> stages.add(Stage.PREVIOUS);
          case PENDING -> stages.add(Stage.PENDING);
          default -> { }
        }
      }
    }
    return stages;
  }

  /** The version holding {@code label} in a map of version ids to labels, or null when none does. */
  static String holder(Map<String, List<String>> labelsByVersion, String label) {
    for (Map.Entry<String, List<String>> e : labelsByVersion.entrySet()) {
      if (e.getValue() != null && e.getValue().contains(label)) {
        return e.getKey();
      }
    }
    return null;
  }
}
