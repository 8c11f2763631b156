package dev.kiln.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Error messages for failed file operations that name the path and the operating system's reason. */
public final class FileErrors {
  private FileErrors() {}

  /**
   * {@code path} and the operating system's reason for {@code e}. NIO puts the path into the
   * message of a {@link FileSystemException} and leaves the reason empty for some errors, so the
   * reason is taken apart here to name each path once, including the one that actually failed
   * when it differs (an ancestor that does not exist, a regular file in the way).
   */
  public static String describe(Path path, IOException e) {
    if (!(e instanceof FileSystemException fse)) {
      return path + ": " + e.getMessage();
    }
    String reason = fse.getReason();
    if (reason == null) {
      if (e instanceof NoSuchFileException) {
        reason = "No such file or directory";
      } else if (e instanceof FileAlreadyExistsException) {
        reason = "File exists";
      } else if (e instanceof AccessDeniedException) {
        reason = "Permission denied";
      } else {
        reason = e.getClass().getSimpleName();
      }
    }
    String failedPath = fse.getFile();
    boolean elsewhere = failedPath != null && !failedPath.equals(path.toString());
    return path + ": " + reason + (elsewhere ? " (at " + failedPath + ")" : "");
  }
}
