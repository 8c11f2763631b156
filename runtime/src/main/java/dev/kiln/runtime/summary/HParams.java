package dev.kiln.runtime.summary;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The records of TensorBoard's HParams dashboard, which tabulates runs by their hyperparameters
 * and metrics: an {@link Experiment} once in the log root (which hyperparameters and metric tags
 * the dashboard shows), and in each run's directory a {@link SessionStart} (the run's values) and,
 * when it ends, a {@link SessionEnd} (its status). The metrics themselves are the run's ordinary
 * scalars, such as {@code validation/accuracy}.
 *
 * <pre>{@code
 * try (EventFileWriter root = EventFileWriter.create(logRoot)) {
 *   root.summary(0, HParams.experiment(new HParams.Experiment(
 *       List.of(HParams.Definition.discrete("variant", List.of("relu", "annealed")),
 *               HParams.Definition.of("seed", HParams.Type.FLOAT64)),
 *       List.of("validation/accuracy"))));
 * }
 * try (EventFileWriter run = EventFileWriter.create(logRoot.resolve("relu-seed1"))) {
 *   run.summary(0, HParams.sessionStart(new HParams.SessionStart(
 *       Map.of("variant", "relu", "seed", 1), "relu-seed1", System.currentTimeMillis() / 1000.0)));
 * }
 * }</pre>
 *
 * <p>TensorFlow Java does not ship the plugin's protos, so the few fields are encoded here by hand
 * with the field numbers of TensorBoard's {@code plugins/hparams/plugin_data.proto} and
 * {@code api.proto}; hyperparameter values are {@code google.protobuf.Value}s. Each record is a
 * {@link Summary.Value} under the plugin's tag, with {@code plugin_data{plugin_name="hparams",
 * content=<HParamsPluginData>}} and the empty float tensor TensorBoard's own writer attaches.
 */
public final class HParams {
  public static final String PLUGIN_NAME = "hparams";
  public static final String EXPERIMENT_TAG = "_hparams_/experiment";
  public static final String SESSION_START_TAG = "_hparams_/session_start_info";
  public static final String SESSION_END_TAG = "_hparams_/session_end_info";

  /** The only version of the plugin data TensorBoard reads; 0 is also proto3's default, so it is not written. */
  static final int PLUGIN_DATA_VERSION = 0;

  // Field numbers of HParamsPluginData (plugin_data.proto).
  private static final int PLUGIN_DATA_VERSION_FIELD = 1;
  private static final int PLUGIN_DATA_EXPERIMENT = 2;
  private static final int PLUGIN_DATA_SESSION_START = 3;
  private static final int PLUGIN_DATA_SESSION_END = 4;
  // Experiment (api.proto).
  private static final int EXPERIMENT_HPARAM_INFOS = 4;
  private static final int EXPERIMENT_METRIC_INFOS = 5;
  // HParamInfo.
  private static final int HPARAM_INFO_NAME = 1;
  private static final int HPARAM_INFO_TYPE = 4;
  private static final int HPARAM_INFO_DOMAIN_DISCRETE = 5;
  // MetricInfo and MetricName.
  private static final int METRIC_INFO_NAME = 1;
  private static final int METRIC_NAME_TAG = 2;
  // SessionStartInfo, its map entries, and SessionEndInfo.
  private static final int SESSION_START_HPARAMS = 1;
  private static final int MAP_ENTRY_KEY = 1;
  private static final int MAP_ENTRY_VALUE = 2;
  private static final int SESSION_START_GROUP_NAME = 4;
  private static final int SESSION_START_TIME_SECS = 5;
  private static final int SESSION_END_STATUS = 1;
  private static final int SESSION_END_TIME_SECS = 2;

  /** What TensorBoard's writer puts in the tensor of an HParams value: a float tensor of shape [0]. */
  private static final TensorProto NULL_TENSOR =
      TensorProto.newBuilder()
          .setDtype(DataType.DT_FLOAT)
          .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(0)))
          .build();

  private HParams() {}

  /** A hyperparameter's type ({@code DataType} of api.proto; the enum's ordinal is its number). */
  public enum Type {
    /** Not declared: TensorBoard infers it from the sessions' values. */
    UNSET,
    STRING,
    BOOL,
    FLOAT64
  }

  /** How a run ended ({@code Status} of api.proto; the enum's ordinal is its number). */
  public enum Status {
    UNKNOWN,
    SUCCESS,
    FAILURE,
    RUNNING
  }

  /** One of the plugin's three records. */
  public sealed interface Record permits Experiment, SessionStart, SessionEnd {}

  /**
   * A hyperparameter the dashboard shows as a column.
   *
   * @param domain the values it can take, if the dashboard should offer them as a filter; empty
   *     for any value. Values are normalised as in {@link SessionStart}.
   */
  public record Definition(String name, Type type, List<Object> domain) {
    public Definition {
      requireName("hyperparameter", name);
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(domain, "domain");
      List<Object> values = new ArrayList<>();
      for (Object value : domain) {
        Object normalised = normalise(name, value);
        if (type != Type.UNSET && typeOf(normalised) != type) {
          throw new IllegalArgumentException(
              "hyperparameter '" + name + "' is declared " + type + ", but its domain holds " + describe(normalised));
        }
        values.add(normalised);
      }
      domain = List.copyOf(values);
    }

    /** A hyperparameter of {@code type} that takes any value. */
    public static Definition of(String name, Type type) {
      return new Definition(name, type, List.of());
    }

    /** A hyperparameter that takes one of {@code values}, all of one type (strings, numbers or booleans). */
    public static Definition discrete(String name, List<?> values) {
      requireName("hyperparameter", name);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("hyperparameter '" + name + "' needs at least one value in its discrete domain");
      }
      return new Definition(name, typeOf(normalise(name, values.get(0))), List.copyOf(values));
    }
  }

  /**
   * What the dashboard shows: the hyperparameters, in column order, and the metrics: scalar tags
   * of each run's own directory, such as {@code validation/accuracy}.
   */
  public record Experiment(List<Definition> hparams, List<String> metricTags) implements Record {
    public Experiment {
      hparams = List.copyOf(hparams);
      metricTags = List.copyOf(metricTags);
      Set<String> names = new HashSet<>();
      for (Definition definition : hparams) {
        if (!names.add(definition.name())) {
          throw new IllegalArgumentException("hyperparameter '" + definition.name() + "' is defined twice");
        }
      }
      Set<String> tags = new HashSet<>();
      for (String tag : metricTags) {
        requireName("metric tag", tag);
        if (!tags.add(tag)) {
          throw new IllegalArgumentException("metric tag '" + tag + "' is listed twice");
        }
      }
    }
  }

  /**
   * A run's hyperparameter values, written when it starts.
   *
   * @param hparams by name; each a {@link String}, a {@link Boolean} or a {@link Number} (stored
   *     as a {@link Double}, like every number in a {@code google.protobuf.Value})
   * @param groupName runs of one group are aggregated into one row of the dashboard; empty: the
   *     run is its own group
   * @param startTimeSecs seconds since the epoch
   */
  public record SessionStart(Map<String, Object> hparams, String groupName, double startTimeSecs) implements Record {
    public SessionStart {
      Map<String, Object> values = new LinkedHashMap<>();
      hparams.forEach((name, value) -> values.put(requireName("hyperparameter", name), normalise(name, value)));
      hparams = Collections.unmodifiableMap(values);
      Objects.requireNonNull(groupName, "groupName");
    }
  }

  /** How a run ended, written when it ends; {@code endTimeSecs} in seconds since the epoch. */
  public record SessionEnd(Status status, double endTimeSecs) implements Record {
    public SessionEnd {
      Objects.requireNonNull(status, "status");
    }
  }

  /** The summary value of {@code experiment}, to write once in the log root. */
  public static Summary.Value experiment(Experiment experiment) {
    byte[] data = message(out -> {
      for (Definition definition : experiment.hparams()) {
        out.writeByteArray(EXPERIMENT_HPARAM_INFOS, message(info -> {
          info.writeString(HPARAM_INFO_NAME, definition.name());
          if (definition.type() != Type.UNSET) {
            info.writeEnum(HPARAM_INFO_TYPE, definition.type().ordinal());
          }
          if (!definition.domain().isEmpty()) {
            ListValue.Builder domain = ListValue.newBuilder();
            definition.domain().forEach(value -> domain.addValues(toProto(value)));
            info.writeByteArray(HPARAM_INFO_DOMAIN_DISCRETE, domain.build().toByteArray());
          }
        }));
      }
      for (String tag : experiment.metricTags()) {
        byte[] metricName = message(name -> name.writeString(METRIC_NAME_TAG, tag));
        out.writeByteArray(EXPERIMENT_METRIC_INFOS, message(info -> info.writeByteArray(METRIC_INFO_NAME, metricName)));
      }
    });
    return summaryValue(EXPERIMENT_TAG, PLUGIN_DATA_EXPERIMENT, data);
  }

  /** The summary value of {@code start}, to write (at step 0) in the run's directory. */
  public static Summary.Value sessionStart(SessionStart start) {
    byte[] data = message(out -> {
      for (Map.Entry<String, Object> hparam : start.hparams().entrySet()) {
        out.writeByteArray(SESSION_START_HPARAMS, message(entry -> {
          entry.writeString(MAP_ENTRY_KEY, hparam.getKey());
          entry.writeByteArray(MAP_ENTRY_VALUE, toProto(hparam.getValue()).toByteArray());
        }));
      }
      if (!start.groupName().isEmpty()) {
        out.writeString(SESSION_START_GROUP_NAME, start.groupName());
      }
      out.writeDouble(SESSION_START_TIME_SECS, start.startTimeSecs());
    });
    return summaryValue(SESSION_START_TAG, PLUGIN_DATA_SESSION_START, data);
  }

  /** The summary value of {@code end}, to write in the run's directory when it ends. */
  public static Summary.Value sessionEnd(SessionEnd end) {
    byte[] data = message(out -> {
      out.writeEnum(SESSION_END_STATUS, end.status().ordinal());
      out.writeDouble(SESSION_END_TIME_SECS, end.endTimeSecs());
    });
    return summaryValue(SESSION_END_TAG, PLUGIN_DATA_SESSION_END, data);
  }

  /**
   * The record a summary value holds, if it is one of the HParams plugin's (written by this class
   * or by TensorBoard's Python API); empty for any other value. Fields Kiln does not model (a
   * metric's group, an interval domain, descriptions) are skipped.
   *
   * @throws InvalidProtocolBufferException naming the tag if the plugin data is malformed, of a
   *     version other than 0, or holds a hyperparameter value that is not a string, number or boolean
   */
  public static Optional<Record> parse(Summary.Value value) throws InvalidProtocolBufferException {
    SummaryMetadata.PluginData pluginData = value.getMetadata().getPluginData();
    if (!pluginData.getPluginName().equals(PLUGIN_NAME)) {
      return Optional.empty();
    }
    try {
      return Optional.of(parsePluginData(pluginData.getContent()));
    } catch (IOException e) {
      throw new InvalidProtocolBufferException("HParams summary '" + value.getTag() + "': " + e.getMessage());
    }
  }

  /**
   * Every HParams record in the event files of {@code directory} (a run's directory, or the log
   * root for the experiment), in file order.
   *
   * @throws IOException if the directory cannot be listed, an event file is corrupt (see
   *     {@link EventFileReader#read}) or a record is malformed, naming the file
   */
  public static List<Record> read(Path directory) throws IOException {
    List<Record> records = new ArrayList<>();
    for (Path file : EventFileReader.eventFiles(directory)) {
      for (Event event : EventFileReader.read(file)) {
        for (Summary.Value value : event.getSummary().getValueList()) {
          try {
            parse(value).ifPresent(records::add);
          } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
          }
        }
      }
    }
    return List.copyOf(records);
  }

  private static Summary.Value summaryValue(String tag, int dataField, byte[] data) {
    byte[] content = message(out -> out.writeByteArray(dataField, data));
    return Summary.Value.newBuilder()
        .setTag(tag)
        .setMetadata(
            SummaryMetadata.newBuilder()
                .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(PLUGIN_NAME).setContent(ByteString.copyFrom(content))))
        .setTensor(NULL_TENSOR)
        .build();
  }

  private static Record parsePluginData(ByteString content) throws IOException {
    Record[] record = new Record[1];
    int[] version = {PLUGIN_DATA_VERSION};
    readFields(content, (field, wireType, in) -> {
      if (field == PLUGIN_DATA_VERSION_FIELD && wireType == WireFormat.WIRETYPE_VARINT) {
        version[0] = in.readInt32();
      } else if (field == PLUGIN_DATA_EXPERIMENT && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        record[0] = parseExperiment(in.readBytes());
      } else if (field == PLUGIN_DATA_SESSION_START && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        record[0] = parseSessionStart(in.readBytes());
      } else if (field == PLUGIN_DATA_SESSION_END && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        record[0] = parseSessionEnd(in.readBytes());
      } else {
        return false;
      }
      return true;
    });
    if (version[0] != PLUGIN_DATA_VERSION) {
      throw new InvalidProtocolBufferException(
          "plugin data version " + version[0] + " is not supported; TensorBoard and Kiln read version " + PLUGIN_DATA_VERSION);
    }
    if (record[0] == null) {
      throw new InvalidProtocolBufferException("plugin data holds no experiment, session start or session end");
    }
    return record[0];
  }

  private static Experiment parseExperiment(ByteString data) throws IOException {
    List<Definition> definitions = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    readFields(data, (field, wireType, in) -> {
      if (field == EXPERIMENT_HPARAM_INFOS && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        definitions.add(parseDefinition(in.readBytes()));
      } else if (field == EXPERIMENT_METRIC_INFOS && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        tags.add(parseMetricTag(in.readBytes()));
      } else {
        return false;
      }
      return true;
    });
    return newRecord(() -> new Experiment(definitions, tags));
  }

  private static Definition parseDefinition(ByteString data) throws IOException {
    String[] name = {""};
    Type[] type = {Type.UNSET};
    List<Object> domain = new ArrayList<>();
    readFields(data, (field, wireType, in) -> {
      if (field == HPARAM_INFO_NAME && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        name[0] = in.readStringRequireUtf8();
      } else if (field == HPARAM_INFO_TYPE && wireType == WireFormat.WIRETYPE_VARINT) {
        int number = in.readEnum();
        if (number < 0 || number >= Type.values().length) {
          throw new InvalidProtocolBufferException("unknown hyperparameter type " + number);
        }
        type[0] = Type.values()[number];
      } else if (field == HPARAM_INFO_DOMAIN_DISCRETE && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        for (Value value : ListValue.parseFrom(in.readBytes()).getValuesList()) {
          domain.add(fromProto(name[0], value));
        }
      } else {
        return false;
      }
      return true;
    });
    return newRecord(() -> new Definition(name[0], type[0], domain));
  }

  private static String parseMetricTag(ByteString metricInfo) throws IOException {
    String[] tag = {""};
    readFields(metricInfo, (field, wireType, in) -> {
      if (field != METRIC_INFO_NAME || wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        return false;
      }
      readFields(in.readBytes(), (nameField, nameWireType, name) -> {
        if (nameField != METRIC_NAME_TAG || nameWireType != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          return false;
        }
        tag[0] = name.readStringRequireUtf8();
        return true;
      });
      return true;
    });
    return tag[0];
  }

  private static SessionStart parseSessionStart(ByteString data) throws IOException {
    Map<String, Object> hparams = new LinkedHashMap<>();
    String[] group = {""};
    double[] start = {0};
    readFields(data, (field, wireType, in) -> {
      if (field == SESSION_START_HPARAMS && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        String[] key = {""};
        Value[] value = {Value.getDefaultInstance()};
        readFields(in.readBytes(), (entryField, entryWireType, entry) -> {
          if (entryField == MAP_ENTRY_KEY && entryWireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            key[0] = entry.readStringRequireUtf8();
          } else if (entryField == MAP_ENTRY_VALUE && entryWireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            value[0] = Value.parseFrom(entry.readBytes());
          } else {
            return false;
          }
          return true;
        });
        hparams.put(key[0], fromProto(key[0], value[0]));
      } else if (field == SESSION_START_GROUP_NAME && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        group[0] = in.readStringRequireUtf8();
      } else if (field == SESSION_START_TIME_SECS && wireType == WireFormat.WIRETYPE_FIXED64) {
        start[0] = in.readDouble();
      } else {
        return false;
      }
      return true;
    });
    return newRecord(() -> new SessionStart(hparams, group[0], start[0]));
  }

  private static SessionEnd parseSessionEnd(ByteString data) throws IOException {
    Status[] status = {Status.UNKNOWN};
    double[] end = {0};
    readFields(data, (field, wireType, in) -> {
      if (field == SESSION_END_STATUS && wireType == WireFormat.WIRETYPE_VARINT) {
        int number = in.readEnum();
        if (number < 0 || number >= Status.values().length) {
          throw new InvalidProtocolBufferException("unknown session status " + number);
        }
        status[0] = Status.values()[number];
      } else if (field == SESSION_END_TIME_SECS && wireType == WireFormat.WIRETYPE_FIXED64) {
        end[0] = in.readDouble();
      } else {
        return false;
      }
      return true;
    });
    return new SessionEnd(status[0], end[0]);
  }

  /** Reads one field of a message; returns false for a field it does not take, which is skipped. */
  private interface FieldReader {
    boolean read(int field, int wireType, CodedInputStream in) throws IOException;
  }

  private static void readFields(ByteString data, FieldReader reader) throws IOException {
    CodedInputStream in = data.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (!reader.read(WireFormat.getTagFieldNumber(tag), WireFormat.getTagWireType(tag), in)) {
        in.skipField(tag);
      }
    }
  }

  /** A record built from decoded fields, whose validation failure means the data is malformed. */
  private static <R> R newRecord(Supplier<R> constructor) throws InvalidProtocolBufferException {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException(e.getMessage());
    }
  }

  /** Writes one message's fields. */
  private interface FieldWriter {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(FieldWriter fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }

  private static Value toProto(Object value) {
    if (value instanceof String text) {
      return Value.newBuilder().setStringValue(text).build();
    }
    if (value instanceof Boolean flag) {
      return Value.newBuilder().setBoolValue(flag).build();
    }
    return Value.newBuilder().setNumberValue((Double) value).build();
  }

  private static Object fromProto(String name, Value value) throws InvalidProtocolBufferException {
    return switch (value.getKindCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case NUMBER_VALUE -> value.getNumberValue();
      default -> throw new InvalidProtocolBufferException(
          "hyperparameter '" + name + "' holds a " + value.getKindCase() + "; Kiln reads strings, numbers and booleans");
    };
  }

  /** A value as the records keep it: a String, a Boolean or a Double. */
  private static Object normalise(String name, Object value) {
    if (value instanceof String || value instanceof Boolean || value instanceof Double) {
      return value;
    }
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    throw new IllegalArgumentException(
        "hyperparameter '" + name + "' has " + describe(value) + "; HParams take a String, a Number or a Boolean");
  }

  private static Type typeOf(Object normalised) {
    if (normalised instanceof String) {
      return Type.STRING;
    }
    return normalised instanceof Boolean ? Type.BOOL : Type.FLOAT64;
  }

  private static String describe(Object value) {
    return value == null ? "the value null" : "the value " + value + " of type " + value.getClass().getSimpleName();
  }

  private static String requireName(String what, String name) {
    Objects.requireNonNull(name, what + " name");
    if (name.isBlank()) {
      throw new IllegalArgumentException(what + " name must not be blank, got '" + name + "'");
    }
    return name;
  }
}
