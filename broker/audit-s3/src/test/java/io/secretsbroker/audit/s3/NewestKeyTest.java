package io.secretsbroker.audit.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NewestKeyTest {
  private static final String FOLDER = "p/r1/checkpoints/";

  /** A folder of keys listed like S3: ascending, after start-after, a page at a time; counts the calls. */
  private static final class Folder implements NewestKey.Lister {
    final NavigableSet<String> keys = new TreeSet<>();
    int calls;

    @Override
    public NewestKey.Page list(String startAfter, int maxKeys) {
      calls++;
      List<String> page = new ArrayList<>();
      for (String k : startAfter == null ? keys : keys.tailSet(startAfter, false)) {
        if (page.size() == maxKeys) {
          return new NewestKey.Page(page, true);
        }
        page.add(k);
      }
      return new NewestKey.Page(page, false);
    }

    void add(long sequence) {
      keys.add(key(sequence));
    }
  }

  private static String key(long s) {
    return FOLDER + String.format("%020d", s) + ".cp";
  }

  private static OptionalLong newest(Folder f) {
    return new NewestKey(f, NewestKeyTest::key, k -> S3Anchor.sequenceOf(FOLDER, k)).find();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 999, 1000, 1001, 2500, 10_000, 200_000})
  void findsTheGreatest_inFewCalls(int count) {
    Folder f = new Folder();
    Random random = new Random(count);
    long s = 0;
    for (int i = 0; i < count; i++) {
      s += 1 + random.nextInt(5);
      f.add(s);
    }
    f.keys.add(FOLDER + "notes.txt"); // stray keys sort after the sequences and are ignored
    f.keys.add(FOLDER + "00000000000000000001.tmp");

    OptionalLong found = newest(f);

    assertThat(found).isEqualTo(count == 0 ? OptionalLong.empty() : OptionalLong.of(s));
    assertThat(f.calls).as("list calls for %d keys", count).isLessThanOrEqualTo(f.keys.size() <= NewestKey.PAGE ? 1 : 60);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 1_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE})
  void findsHugeSequences(long last) {
    Folder f = new Folder();
    for (int i = 1; i <= 1500; i++) {
      f.add(i);
    }
    f.add(last);

    assertThat(newest(f)).hasValue(Math.max(last, 1500));
  }
}
