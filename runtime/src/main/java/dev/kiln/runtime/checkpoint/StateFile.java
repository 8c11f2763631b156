package dev.kiln.runtime.checkpoint;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A checkpoint's state as a {@code .properties} file (UTF-8): one {@code key=value} line per
 * entry, sorted by key so that two checkpoints compare line by line. {@link Properties} reads it.
 */
final class StateFile {
  private StateFile() {}

  static void write(Path file, Map<String, String> state) throws IOException {
    StringBuilder text = new StringBuilder("# Kiln training checkpoint state\n");
    for (Map.Entry<String, String> entry : new TreeMap<>(state).entrySet()) {
      text.append(escape(entry.getKey(), true)).append('=').append(escape(entry.getValue(), false)).append('\n');
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static Map<String, String> read(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    Map<String, String> state = new TreeMap<>();
    properties.stringPropertyNames().forEach(key -> state.put(key, properties.getProperty(key)));
    return state;
  }

  /** Escapes what {@link Properties#load(Reader)} would otherwise read as syntax. */
  static String escape(String text, boolean key) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\t' -> escaped.append("\\t");
        case '\f' -> escaped.append("\\f");
        case '=', ':', '#', '!' -> escaped.append('\\').append(c);
        // A space ends a key; leading spaces of a value are dropped.
        case ' ' -> escaped.append(key || i == 0 ? "\\ " : " ");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
