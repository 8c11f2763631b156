package dev.kiln.runtime;

/**
 * A device TensorFlow can run on, as it reports it.
 *
 * @param name the full name, e.g. {@code /job:localhost/replica:0/task:0/device:GPU:0}
 * @param type {@code CPU}, {@code GPU}, ...
 * @param memoryBytes the memory TensorFlow may use on it
 */
public record DeviceInfo(String name, String type, long memoryBytes) {
  /** The short name, e.g. {@code GPU:0}. */
  public String shortName() {
    int device = name.lastIndexOf("device:");
    return device < 0 ? name : name.substring(device + "device:".length());
  }

  /** The device's index among those of its type, from its name. */
  public int index() {
    String shortName = shortName();
    int colon = shortName.lastIndexOf(':');
    try {
      return Integer.parseInt(shortName.substring(colon + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return shortName() + " (" + type + ", " + memoryBytes / (1024 * 1024) + " MiB)";
  }
}
