package dev.kiln.bench;

import com.google.gson.Gson;
import dev.kiln.bench.hand.HandNetworks;
import dev.kiln.runtime.Device;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.data.Mnist;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * W1 for many steps in one training call, sampling after every epoch the process's resident memory
 * and the number of live native objects (JavaCPP pointers with a deallocator: tensors, results,
 * sessions, ... that are not closed yet). Flat values mean nothing is left open or grows per
 * step. Prints {@link TrialResult#PREFIX} and the samples as JSON.
 *
 * <pre>
 * usage: Soak kiln|hand STEPS
 * </pre>
 */
public final class Soak {
  private Soak() {}

  /** One sample, after {@code steps} steps. */
  record Sample(long steps, double residentMiB, long nativeObjects) {
    static Sample now(long steps) {
      return new Sample(steps, ProcessStats.residentBytes() / (1024.0 * 1024.0), Pointer.totalCount());
    }
  }

  record SoakResult(String side, long steps, List<Sample> samples, double loadAverage) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: Soak kiln|hand STEPS");
    }
    String side = args[0];
    long steps = Long.parseLong(args[1]);
    int epochs = Math.toIntExact((steps + Trial.MNIST_STEPS_PER_EPOCH - 1) / Trial.MNIST_STEPS_PER_EPOCH);
    Dataset train = Mnist.load().train();
    List<Sample> samples = new ArrayList<>();
    samples.add(Sample.now(0));
    switch (side) {
      case "kiln" -> {
        // Kiln prints a line per epoch: each one is the moment to sample.
        PrintStream sampling = new PrintStream(OutputStream.nullOutputStream()) {
          @Override
          public void println(String line) {
            if (line.startsWith("epoch ")) {
              samples.add(Sample.now((long) samples.size() * Trial.MNIST_STEPS_PER_EPOCH));
            }
          }

          @Override
          public void println(Object line) {
            println(String.valueOf(line));
          }
        };
        Path logRoot = Files.createTempDirectory("kiln-soak");
        try (KilnSubject kiln = new KilnSubject(new MnistMlpGraph(), Device.cpu(), logRoot, 10, sampling)) {
          kiln.train(train, Trial.MNIST_BATCH, epochs);
        } finally {
          Trial.deleteRecursively(logRoot);
        }
      }
      case "hand" -> {
        try (HandSubject hand = new HandSubject(HandNetworks.mnistMlp(Trial.MNIST_STEPS_PER_EPOCH), Sessions.config(Tuning.DEFAULT))) {
          for (int epoch = 1; epoch <= epochs; epoch++) {
            hand.train(train, Trial.MNIST_BATCH, 1);
            samples.add(Sample.now((long) epoch * Trial.MNIST_STEPS_PER_EPOCH));
          }
        }
      }
      default -> throw new IllegalArgumentException("unknown side '" + side + "': expected kiln or hand");
    }
    System.out.println(TrialResult.PREFIX + new Gson().toJson(new SoakResult(side, (long) epochs * Trial.MNIST_STEPS_PER_EPOCH, samples, ProcessStats.loadAverage())));
  }
}
