package dev.kiln.runtime.checkpoint;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint directory's files: atomic writes, manifests, corrupt checkpoints, retention, the lock. */
class CheckpointStoreTest {
  @TempDir Path root;

  private CheckpointStore store() {
    return CheckpointStore.at(root.resolve("checkpoints"));
  }

  /** A checkpoint with a model file whose content names the step. */
  private static StoredCheckpoint write(CheckpointStore store, long step) throws IOException {
    return store.write(step, Map.of("step", Long.toString(step), "note", "a value = with: odd #chars\\ and ünïcode"), directory ->
        Files.writeString(directory.resolve("model.data-00000-of-00001"), "weights of step " + step));
  }

  private static List<String> fileNames(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aCheckpointHoldsItsFilesItsStateAndAManifestOfBoth() throws IOException {
    StoredCheckpoint written = write(store(), 120);
    Path directory = root.resolve("checkpoints").resolve("step-000000000120");
    assertThat(written.directory()).isEqualTo(directory);
    assertThat(fileNames(directory)).containsExactly("MANIFEST.sha256", "model.data-00000-of-00001", "state.properties");
    List<String> manifest = Files.readAllLines(directory.resolve("MANIFEST.sha256"));
    assertThat(manifest).hasSize(2);
    // sha256sum's format, so `sha256sum -c MANIFEST.sha256` checks it too.
    assertThat(manifest.get(0)).matches("[0-9a-f]{64}  model\\.data-00000-of-00001");
    assertThat(manifest.get(1)).matches("[0-9a-f]{64}  state\\.properties");
    StoredCheckpoint read = CheckpointStore.verify(directory);
    assertThat(read.step()).isEqualTo(120);
    assertThat(read.state()).containsEntry("note", "a value = with: odd #chars\\ and ünïcode");
    // No temporary directory is left behind.
    assertThat(fileNames(root.resolve("checkpoints"))).containsExactly("step-000000000120");
  }

  @Test
  void everyKindOfDamageIsDetectedNamingTheFile() throws IOException {
    CheckpointStore store = store();
    Path data = write(store, 1).directory().resolve("model.data-00000-of-00001");
    Files.writeString(data, "weights of step 2");
    assertThat(assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.verify(data.getParent())).problem())
        .startsWith("model.data-00000-of-00001 does not match its SHA-256 in MANIFEST.sha256 (17 bytes, hash ");

    Path extra = write(store, 2).directory().resolve("model.index");
    Files.writeString(extra, "not listed");
    assertThat(assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.verify(extra.getParent())).problem())
        .isEqualTo("model.index is not listed in MANIFEST.sha256");

    Path missing = write(store, 3).directory();
    Files.delete(missing.resolve("model.data-00000-of-00001"));
    assertThat(assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.verify(missing)).problem())
        .isEqualTo("model.data-00000-of-00001 is listed in MANIFEST.sha256 but missing");

    Path garbled = write(store, 4).directory();
    Files.writeString(garbled.resolve("MANIFEST.sha256"), "not a hash line\n");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.verify(garbled));
    assertThat(e.problem()).isEqualTo("MANIFEST.sha256 line 1 is not '<sha-256>  <file>': 'not a hash line'");
    assertThat(e.checkpoint()).isEqualTo(garbled);
    assertThat(e).hasMessageThat().startsWith("corrupt checkpoint " + garbled + ": ");

    Path incomplete = write(store, 5).directory();
    Files.delete(incomplete.resolve("MANIFEST.sha256"));
    assertThat(assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.verify(incomplete)).problem())
        .isEqualTo("it has no MANIFEST.sha256 (written last, so the checkpoint is incomplete)");
  }

  @Test
  void theNewestValidCheckpointIsFoundAndCorruptOnesAreReportedAndSetAsideNeverOverwritten() throws IOException {
    CheckpointStore store = store();
    write(store, 10);
    write(store, 20);
    Path newest = write(store, 30).directory();
    Files.write(newest.resolve("model.data-00000-of-00001"), new byte[3]);
    List<String> reports = new ArrayList<>();

    // Reading alone reports and skips, and changes nothing.
    assertThat(store.latestValid(reports::add).map(StoredCheckpoint::step)).hasValue(20L);
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0)).startsWith("corrupt checkpoint " + newest + ": model.data-00000-of-00001 does not match");
    assertThat(Files.isDirectory(newest)).isTrue();

    // Recovering sets the corrupt one aside, so the step can be written again, and keeps it.
    reports.clear();
    assertThat(store.recover(reports::add).map(StoredCheckpoint::step)).hasValue(20L);
    Path aside = newest.resolveSibling("step-000000000030.corrupt");
    assertThat(reports.get(0)).endsWith("; set aside as " + aside + " and continuing from the checkpoint before it");
    assertThat(Files.readAllBytes(aside.resolve("model.data-00000-of-00001"))).isEqualTo(new byte[3]);
    write(store, 30);
    assertThat(store.latestValid(reports::add).map(StoredCheckpoint::step)).hasValue(30L);
    store.retain(1, List.of());
    assertThat(fileNames(store.directory())).containsExactly("step-000000000030", "step-000000000030.corrupt").inOrder();
  }

  @Test
  void anExistingCheckpointIsNeverOverwritten() throws IOException {
    CheckpointStore store = store();
    write(store, 7);
    IOException e = assertThrows(IOException.class, () -> write(store, 7));
    assertThat(e).hasMessageThat()
        .isEqualTo("cannot write checkpoint " + store.directory().resolve("step-000000000007") + ": it already exists, and a checkpoint is never overwritten");
    assertThat(Files.readString(store.directory().resolve("step-000000000007").resolve("model.data-00000-of-00001"))).isEqualTo("weights of step 7");
  }

  @Test
  void aWriteThatFailsLeavesNothingBehindAndEarlierCheckpointsIntact() throws IOException {
    CheckpointStore store = store();
    write(store, 1);
    IOException e =
        assertThrows(IOException.class, () -> store.write(2, Map.of("step", "2"), directory -> {
          Files.writeString(directory.resolve("model.index"), "half");
          throw new IOException("No space left on device");
        }));
    assertThat(e).hasMessageThat().startsWith("cannot write checkpoint " + store.directory().resolve("step-000000000002") + " (via ");
    assertThat(e).hasMessageThat().endsWith(": No space left on device)");
    assertThat(fileNames(store.directory())).containsExactly("step-000000000001");
    assertThat(CheckpointStore.verify(store.directory().resolve("step-000000000001")).step()).isEqualTo(1);
  }

  @Test
  void leftoversOfACutOffWriteAreRemovedWhenARunRecovers() throws IOException {
    CheckpointStore store = store();
    write(store, 4);
    Path partial = Files.createDirectories(store.directory().resolve(".partial-step-000000000008-999-1"));
    Files.writeString(partial.resolve("model.index"), "half");
    List<String> reports = new ArrayList<>();
    assertThat(store.recover(reports::add).map(StoredCheckpoint::step)).hasValue(4L);
    assertThat(reports).containsExactly("removed " + partial + ", a checkpoint whose writing was cut off");
    assertThat(Files.exists(partial)).isFalse();
  }

  @Test
  void retentionKeepsTheNewestAndThoseAskedFor() throws IOException {
    CheckpointStore store = store();
    for (long step = 1; step <= 6; step++) {
      write(store, step);
    }
    Path best = store.directory().resolve("step-000000000002");
    List<Path> deleted = store.retain(2, List.of(best));
    assertThat(deleted).containsExactly(
        store.directory().resolve("step-000000000001"), store.directory().resolve("step-000000000003"),
        store.directory().resolve("step-000000000004")).inOrder();
    assertThat(store.checkpoints()).containsExactly(best, store.directory().resolve("step-000000000005"), store.directory().resolve("step-000000000006"))
        .inOrder();
  }

  @Test
  void oneRunAtATimeHoldsTheLock() throws IOException {
    CheckpointStore store = store();
    try (CheckpointStore.Lock held = store.lock()) {
      IOException e = assertThrows(IOException.class, () -> CheckpointStore.at(root.resolve("checkpoints")).lock());
      assertThat(e).hasMessageThat().isEqualTo(
          "the checkpoints in " + store.directory() + " are in use by another training run (it holds " + store.directory().resolve(".lock")
              + "); two runs must not write one run directory");
    }
    store.lock().close();
  }

  @Test
  void aDirectoryThatCannotHoldCheckpointsIsReportedWithTheOperatingSystemsReason() throws IOException {
    Path file = Files.writeString(root.resolve("file"), "in the way");
    IOException e = assertThrows(IOException.class, () -> CheckpointStore.at(file.resolve("checkpoints")).probeWritable());
    assertThat(e).hasMessageThat().startsWith("cannot write checkpoints to " + file.resolve("checkpoints") + ": ");
    assertThat(e).hasMessageThat().contains("Not a directory");
  }

  @Test
  void aSavedModelReplacesAnOlderOneWholeAndNothingElse() throws IOException {
    Path target = root.resolve("model");
    CheckpointStore.writeAtomically(target, directory -> Files.writeString(directory.resolve("model.index"), "first"));
    CheckpointStore.writeAtomically(target, directory -> Files.writeString(directory.resolve("model.index"), "second"));
    assertThat(Files.readString(target.resolve("model.index"))).isEqualTo("second");
    CheckpointStore.verifyFiles(target);
    assertThat(fileNames(root)).containsExactly("model");

    IOException failed =
        assertThrows(IOException.class, () -> CheckpointStore.writeAtomically(target, directory -> {
          throw new IOException("No space left on device");
        }));
    assertThat(failed).hasMessageThat().endsWith(": No space left on device)");
    assertThat(Files.readString(target.resolve("model.index"))).isEqualTo("second");
    assertThat(fileNames(root)).containsExactly("model");

    Path documents = Files.createDirectories(root.resolve("documents"));
    Files.writeString(documents.resolve("notes.txt"), "mine");
    IOException refused = assertThrows(IOException.class, () -> CheckpointStore.writeAtomically(documents, directory -> {}));
    assertThat(refused).hasMessageThat().contains("holds notes.txt, which is not part of a checkpoint; not replacing it");
    assertThat(Files.readString(documents.resolve("notes.txt"))).isEqualTo("mine");
  }

  @Test
  void namesSortByStep() {
    assertThat(CheckpointStore.nameOf(42)).isEqualTo("step-000000000042");
    assertThat(CheckpointStore.stepOf(Path.of("step-000000000042"))).hasValue(42);
    assertThat(CheckpointStore.stepOf(Path.of("step-000000000042.corrupt"))).isEmpty();
    assertThat(Optional.of(assertThrows(IllegalArgumentException.class, () -> CheckpointStore.nameOf(-1)).getMessage()))
        .hasValue("a checkpoint's step must be >= 0, got -1");
  }
}
