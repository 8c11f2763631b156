package dev.kiln.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A trial's results on disk, beside its TensorBoard events: {@code history.csv} (one row per
 * epoch, for a spreadsheet) and {@code result.json} (everything, which the report is rebuilt from).
 * {@code result.json} is written last and atomically, so its presence marks a finished trial.
 */
public final class TrialStore {
  public static final String RESULT_FILE = "result.json";
  public static final String HISTORY_FILE = "history.csv";

  /** NaN marks a metric that was not measured; JSON has no NaN, Gson writes and reads it as a literal. */
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

  private TrialStore() {}

  /** Writes {@code history.csv}, then {@code result.json}: the run is finished once the latter exists. */
  public static void save(Path runDirectory, TrialResult result) throws IOException {
    Files.createDirectories(runDirectory);
    writeAtomically(runDirectory.resolve(HISTORY_FILE), historyCsv(result.history()));
    writeAtomically(runDirectory.resolve(RESULT_FILE), GSON.toJson(result));
  }

  /**
   * The finished run in {@code runDirectory}; empty if it holds no {@code result.json} (never
   * started, or interrupted).
   *
   * @throws IOException naming the file if {@code result.json} cannot be read or is not a result
   */
  public static Optional<TrialResult> load(Path runDirectory) throws IOException {
    Path file = runDirectory.resolve(RESULT_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      TrialResult result = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), TrialResult.class);
      if (result == null) {
        throw new IOException(file + " is empty: delete the run directory to run it again");
      }
      return Optional.of(result);
    } catch (RuntimeException e) {
      // Gson's JsonParseException for bad JSON; the records' own checks for missing or inconsistent fields.
      throw new IOException(file + " is not a trial's result (" + e.getMessage() + "): delete the run directory to run it again", e);
    }
  }

  /** Every finished trial in the sub-directories of {@code logRoot}, by directory name. */
  public static List<TrialResult> loadAll(Path logRoot) throws IOException {
    if (!Files.isDirectory(logRoot)) {
      throw new IOException(logRoot + " is not a directory of runs");
    }
    List<Path> directories;
    try (Stream<Path> entries = Files.list(logRoot)) {
      directories = entries.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    List<TrialResult> results = new ArrayList<>();
    for (Path directory : directories) {
      load(directory).ifPresent(results::add);
    }
    return results;
  }

  /** {@code epoch,step,seconds} and every value any epoch recorded, in the order they first appear. */
  static String historyCsv(List<Epoch> history) {
    Set<String> names = new LinkedHashSet<>();
    history.forEach(epoch -> names.addAll(epoch.values().keySet()));
    StringBuilder csv = new StringBuilder("epoch,step,seconds");
    names.forEach(name -> csv.append(',').append(name));
    csv.append('\n');
    for (Epoch e : history) {
      csv.append(String.format(Locale.ROOT, "%d,%d,%.3f", e.epoch(), e.step(), e.seconds()));
      names.forEach(name -> csv.append(',').append(number(e.value(name))));
      csv.append('\n');
    }
    return csv.toString();
  }

  /** A CSV cell: empty for a metric that was not measured. */
  static String number(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.6g", value);
  }

  /** Writes a sibling temporary file and moves it into place, so a reader never sees half a file. */
  static void writeAtomically(Path file, String content) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
