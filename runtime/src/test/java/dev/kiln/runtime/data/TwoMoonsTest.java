package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class TwoMoonsTest {
  /**
   * {@code make_moons(n_samples=10, noise=0.1, random_state=42)}: x, y and label per row, printed
   * once with scikit-learn 1.9.1 (NumPy 2.4.6) and pasted in.
   */
  private static final double[][] SKLEARN_10 = {
    {1.7350109104065612, -0.10605525270589493, 1},
    {0.6490189677841961, 0.6545898004687327, 0},
    {-0.057138016575414154, 0.4075917162252895, 1},
    {0.7387450987306399, 0.09503696823969032, 0},
    {1.0816445080951327, -0.6523875997615861, 1},
    {-0.04280460641762339, 0.9257593162880827, 0},
    {1.9296656198292592, 0.2860379343923759, 1},
    {-1.062947496092425, 0.059772046691260954, 0},
    {-0.4511579780827682, 0.7465300833745077, 0},
    {0.3051151353357204, -0.2586503473957928, 1},
  };

  /** {@code make_moons(n_samples=11, noise=0.1, random_state=42)}, generated the same way. */
  private static final double[][] SKLEARN_11 = {
    {0.02790412922001377, 0.6010515284806527, 1},
    {0.9419121865976485, -0.05251698071781478, 0},
    {1.7518789777995334, -0.18019353606718375, 1},
    {1.7387450987306399, 0.5950369682396902, 1},
    {0.0816445080951328, 0.8476124002384139, 0},
    {0.6643021747689242, 0.6328660974746302, 0},
    {1.2386826142042067, -0.6650185819027776, 1},
    {-1.062947496092425, 0.059772046691260954, 0},
    {0.9469318087288319, -0.41163321410719345, 1},
    {-0.6948848646642795, 0.6555632149773023, 0},
    {0.13095762061446137, 0.006958729812190756, 1},
  };

  @Test
  void evenSizeMatchesScikitLearn() {
    assertMatches(TwoMoons.generate(10, 0.1, 42), SKLEARN_10);
  }

  @Test
  void oddSizeMatchesScikitLearn() {
    assertMatches(TwoMoons.generate(11, 0.1, 42), SKLEARN_11);
  }

  @Test
  void outerMoonGetsHalfRoundedDown() {
    Dataset odd = TwoMoons.generate(1001, 0.2, 3);

    assertThat(countLabel(odd, 0)).isEqualTo(500);
    assertThat(countLabel(odd, 1)).isEqualTo(501);
    Dataset even = TwoMoons.generate(1000, 0.2, 3);
    assertThat(countLabel(even, 0)).isEqualTo(500);
    assertThat(countLabel(even, 1)).isEqualTo(500);
  }

  @Test
  void withoutNoiseEveryPointLiesOnItsMoon() {
    Dataset moons = TwoMoons.generate(101, 0, 5);

    for (int i = 0; i < moons.size(); i++) {
      double x = moons.feature(i, 0);
      double y = moons.feature(i, 1);
      if (moons.label(i, 0) == 0) {
        // Upper half of the unit circle.
        assertThat(Math.hypot(x, y)).isWithin(1e-6).of(1.0);
        assertThat(y).isAtLeast(-1e-6);
      } else {
        // Lower half of the unit circle centred at (1, 0.5).
        assertThat(Math.hypot(x - 1, y - 0.5)).isWithin(1e-6).of(1.0);
        assertThat(y).isAtMost(0.5 + 1e-6);
      }
    }
  }

  @Test
  void shapeAndLabelWidth() {
    Dataset moons = TwoMoons.generate(4, 0.1, 0);

    assertThat(moons.size()).isEqualTo(4);
    assertThat(moons.exampleShape()).isEqualTo(Shape.of(2));
    assertThat(moons.labelWidth()).isEqualTo(1);
  }

  @Test
  void sameSeedSameDataOtherSeedOtherData() {
    Dataset a = TwoMoons.generate(50, 0.1, 9);
    Dataset b = TwoMoons.generate(50, 0.1, 9);
    Dataset c = TwoMoons.generate(50, 0.1, 10);

    assertThat(features(a)).isEqualTo(features(b));
    assertThat(features(a)).isNotEqualTo(features(c));
  }

  @Test
  void badArgumentsAreRejectedNamingTheProblem() {
    IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(1, 0.1, 0));
    assertThat(tooFew).hasMessageThat().contains("n = 1");
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(0, 0.1, 0));
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(-5, 0.1, 0));
    IllegalArgumentException negativeNoise =
        assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(10, -0.1, 0));
    assertThat(negativeNoise).hasMessageThat().contains("-0.1");
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(10, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(10, Double.POSITIVE_INFINITY, 0));
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(10, 0.1, -1));
    assertThrows(IllegalArgumentException.class, () -> TwoMoons.generate(10, 0.1, 1L << 32));
  }

  private static void assertMatches(Dataset moons, double[][] expected) {
    assertThat(moons.size()).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) moons.feature(i, 0)).isWithin(1e-6).of(expected[i][0]);
      assertThat((double) moons.feature(i, 1)).isWithin(1e-6).of(expected[i][1]);
      assertThat((double) moons.label(i, 0)).isEqualTo(expected[i][2]);
    }
  }

  private static int countLabel(Dataset moons, float label) {
    int count = 0;
    for (int i = 0; i < moons.size(); i++) {
      if (moons.label(i, 0) == label) {
        count++;
      }
    }
    return count;
  }

  private static float[] features(Dataset moons) {
    float[] values = new float[moons.size() * moons.exampleSize()];
    moons.copyFeatures(identity(moons.size()), 0, moons.size(), values);
    return values;
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
