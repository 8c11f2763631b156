package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every expected number here was generated once with NumPy 2.4.6 ({@code RandomState(seed)}, its
 * bit generator's {@code random_raw}, {@code random_sample}, {@code shuffle},
 * {@code standard_normal}, {@code normal}) and pasted in.
 */
class NumpyRandomStateTest {
  @Test
  void rawOutputsMatchNumpyForSeveralSeeds() {
    assertThat(raw(42, 5)).asList().containsExactly(1608637542L, 3421126067L, 4083286876L, 787846414L, 3143890026L).inOrder();
    assertThat(raw(0, 5)).asList().containsExactly(2357136044L, 2546248239L, 3071714933L, 3626093760L, 2588848963L).inOrder();
    assertThat(raw(4294967295L, 5)).asList().containsExactly(419326371L, 479346978L, 3918654476L, 2416749639L, 3388880820L).inOrder();
    // 5489 is MT19937's reference seed: 3499211612 is the reference implementation's first output.
    assertThat(raw(5489, 2)).asList().containsExactly(3499211612L, 581869302L).inOrder();
  }

  @Test
  void stateIsRegeneratedEvery624Outputs() {
    long[] outputs = raw(42, 1001);

    assertThat(outputs[624]).isEqualTo(108880612L);
    assertThat(outputs[1000]).isEqualTo(2998581749L);
  }

  @Test
  void randomSampleShuffleAndNormalsContinueOneStreamAsNumpy() {
    NumpyRandomState random = new NumpyRandomState(42);

    assertThat(random.randomSample()).isEqualTo(0.3745401188473625);
    assertThat(random.randomSample()).isEqualTo(0.9507143064099162);
    assertThat(random.randomSample()).isEqualTo(0.7319939418114051);

    int[] order = identity(10);
    random.shuffle(order);
    assertThat(order).asList().containsExactly(9, 7, 0, 3, 5, 8, 2, 1, 6, 4).inOrder();

    // Java's and C's log may differ in the last bit, so normals are compared to 1e-15.
    double[] expectedStandard = {
      0.3925797504024593, -0.9291846669305591, 0.07983181221570465, -0.1595165016570746, 0.022221826611982996
    };
    for (double expected : expectedStandard) {
      assertThat(random.standardNormal()).isWithin(1e-15).of(expected);
    }
    double[] expectedScaled = {-0.04277929136033454, -0.05318174102182277, -0.011747550177134997};
    for (double expected : expectedScaled) {
      assertThat(random.normal(0.1)).isWithin(1e-16).of(expected);
    }
  }

  @Test
  void shuffleOfALongArrayMatchesNumpy() {
    int[] order = identity(1000);

    new NumpyRandomState(7).shuffle(order);

    assertThat(Arrays.copyOf(order, 10)).asList().containsExactly(778, 334, 271, 802, 216, 408, 812, 94, 487, 170).inOrder();
    assertThat(order[999]).isEqualTo(175);
    assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(identity(1000));
  }

  @Test
  void intervalStaysWithinItsBound() {
    NumpyRandomState random = new NumpyRandomState(1);
    boolean[] seen = new boolean[6];
    for (int i = 0; i < 200; i++) {
      long value = random.interval(5);
      assertThat(value).isAtLeast(0L);
      assertThat(value).isAtMost(5L);
      seen[(int) value] = true;
    }
    assertThat(seen).asList().doesNotContain(false);
    assertThat(random.interval(0)).isEqualTo(0L);
  }

  @Test
  void seedsOutsideNumpysRangeAreRejected() {
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(-1));
    assertThat(negative).hasMessageThat().contains("-1");
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1L << 32));
  }

  @Test
  void negativeScaleIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1).normal(-0.5));
  }

  private static long[] raw(long seed, int count) {
    NumpyRandomState random = new NumpyRandomState(seed);
    long[] outputs = new long[count];
    for (int i = 0; i < count; i++) {
      outputs[i] = Integer.toUnsignedLong(random.nextUnsignedInt());
    }
    return outputs;
  }

  private static int[] identity(int n) {
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = i;
    }
    return values;
  }
}
