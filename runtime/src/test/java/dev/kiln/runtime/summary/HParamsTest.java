package dev.kiln.runtime.summary;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;

class HParamsTest {
  /**
   * Summary values that TensorBoard 2.21's own Python API wrote ({@code summary_v2.hparams_pb},
   * {@code hparams_config_pb}, and {@code session_end_pb}'s plugin data), as hex.
   */
  private static final String PYTHON_SESSION_START =
      "0a1c5f68706172616d735f2f73657373696f6e5f73746172745f696e666f42060801120212004a7c0a7a0a0768706172616d73126f1a6d0a1a0a"
          + "0776617269616e74120f1a0d616e6e65616c65642d737465700a0d0a07706f6f6c696e67120220010a0f0a026c72120911fca9f1d24d62503f"
          + "0a110a047365656412091100000000000008402213616e6e65616c65642d737465702d73656564332900002040fc54d941";

  private static final String PYTHON_EXPERIMENT =
      "0a145f68706172616d735f2f6578706572696d656e7442060801120212004aa0010a9d010a0768706172616d73129101128e011900000000"
          + "0000f03f22220a0776617269616e7420012a150a0a1a08616e6e65616c65640a071a056669786564221c0a04736565642003321209000000"
          + "000000f03f11000000000000144022150a07706f6f6c696e6720022a080a0220000a0220012a170a15121376616c69646174696f6e2f6163"
          + "6375726163792a110a0f0a046576616c1207746573742f6631";

  private static final String PYTHON_SESSION_END =
      "0a1a5f68706172616d735f2f73657373696f6e5f656e645f696e666f42060801120212004a1a0a180a0768706172616d73120d220b080111"
          + "00001059fc54d941";

  @TempDir Path temp;

  @Test
  void sessionStartEncodesTheFieldsOfPluginDataProto() throws IOException {
    Map<String, Object> hparams = new LinkedHashMap<>();
    hparams.put("variant", "annealed-step");
    hparams.put("seed", 3);
    hparams.put("pooling", true);

    Summary.Value value = HParams.sessionStart(new HParams.SessionStart(hparams, "annealed-step-seed3", 1700000000.5));

    assertThat(value.getTag()).isEqualTo("_hparams_/session_start_info");
    // Decoded generically, by the field numbers of plugin_data.proto: HParamsPluginData.session_start_info = 3.
    UnknownFieldSet startInfo = onlyMessage(pluginData(value), 3);
    assertThat(startInfo.getField(4).getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("annealed-step-seed3"));
    assertThat(Double.longBitsToDouble(startInfo.getField(5).getFixed64List().get(0))).isEqualTo(1700000000.5);
    Map<String, Value> entries = new LinkedHashMap<>();
    for (ByteString entry : startInfo.getField(1).getLengthDelimitedList()) {
      UnknownFieldSet fields = UnknownFieldSet.parseFrom(entry);
      entries.put(
          fields.getField(1).getLengthDelimitedList().get(0).toStringUtf8(),
          Value.parseFrom(fields.getField(2).getLengthDelimitedList().get(0)));
    }
    assertThat(entries)
        .containsExactly(
            "variant", Value.newBuilder().setStringValue("annealed-step").build(),
            "seed", Value.newBuilder().setNumberValue(3).build(),
            "pooling", Value.newBuilder().setBoolValue(true).build())
        .inOrder();
  }

  @Test
  void experimentEncodesHParamInfosAndMetricInfosOfApiProto() throws IOException {
    HParams.Experiment experiment =
        new HParams.Experiment(
            List.of(HParams.Definition.discrete("variant", List.of("fixed", "trainable")), HParams.Definition.of("seed", HParams.Type.FLOAT64)),
            List.of("validation/accuracy", "test/f1"));

    Summary.Value value = HParams.experiment(experiment);

    assertThat(value.getTag()).isEqualTo("_hparams_/experiment");
    UnknownFieldSet encoded = onlyMessage(pluginData(value), 2);
    List<ByteString> infos = encoded.getField(4).getLengthDelimitedList();
    assertThat(infos).hasSize(2);
    UnknownFieldSet variant = UnknownFieldSet.parseFrom(infos.get(0));
    assertThat(variant.getField(1).getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("variant"));
    assertThat(variant.getField(4).getVarintList()).containsExactly(1L); // DATA_TYPE_STRING
    assertThat(ListValue.parseFrom(variant.getField(5).getLengthDelimitedList().get(0)).getValuesList())
        .containsExactly(Value.newBuilder().setStringValue("fixed").build(), Value.newBuilder().setStringValue("trainable").build())
        .inOrder();
    UnknownFieldSet seed = UnknownFieldSet.parseFrom(infos.get(1));
    assertThat(seed.getField(4).getVarintList()).containsExactly(3L); // DATA_TYPE_FLOAT64
    assertThat(seed.hasField(5)).isFalse();
    List<String> tags = new java.util.ArrayList<>();
    for (ByteString metricInfo : encoded.getField(5).getLengthDelimitedList()) {
      UnknownFieldSet name = onlyMessage(UnknownFieldSet.parseFrom(metricInfo), 1);
      tags.add(name.getField(2).getLengthDelimitedList().get(0).toStringUtf8());
    }
    assertThat(tags).containsExactly("validation/accuracy", "test/f1").inOrder();
  }

  @Test
  void sessionEndEncodesStatusAndTime() throws IOException {
    Summary.Value value = HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.SUCCESS, 1700000100.25));

    UnknownFieldSet endInfo = onlyMessage(pluginData(value), 4);
    assertThat(endInfo.getField(1).getVarintList()).containsExactly(1L); // STATUS_SUCCESS
    assertThat(Double.longBitsToDouble(endInfo.getField(2).getFixed64List().get(0))).isEqualTo(1700000100.25);
  }

  @Test
  void valuesCarryThePluginNameAndTheEmptyFloatTensorLikeTensorBoardsWriter() {
    Summary.Value value = HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.FAILURE, 0));

    assertThat(value.getMetadata().getPluginData().getPluginName()).isEqualTo("hparams");
    assertThat(value.getTensor().getDtype()).isEqualTo(DataType.DT_FLOAT);
    assertThat(value.getTensor().getTensorShape().getDimList()).hasSize(1);
    assertThat(value.getTensor().getTensorShape().getDim(0).getSize()).isEqualTo(0);
  }

  @Test
  void recordsWrittenToEventFilesReadBackEqual() throws IOException {
    HParams.Experiment experiment =
        new HParams.Experiment(
            List.of(HParams.Definition.discrete("lr", List.of(1e-3, 1e-4)), HParams.Definition.of("pooling", HParams.Type.BOOL)),
            List.of("validation/accuracy"));
    HParams.SessionStart start = new HParams.SessionStart(Map.of("lr", 1e-3, "pooling", false), "", 12.5);
    HParams.SessionEnd end = new HParams.SessionEnd(HParams.Status.SUCCESS, 99.0);
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      writer.summary(0, HParams.experiment(experiment));
      writer.scalar("validation/accuracy", 5, 0.9); // other summaries are passed over
      writer.summary(0, HParams.sessionStart(start));
      writer.summary(5, HParams.sessionEnd(end));
    }

    assertThat(HParams.read(temp)).containsExactly(experiment, start, end).inOrder();
  }

  @Test
  void readsWhatTensorBoardsPythonApiWrites() throws IOException {
    HParams.Record start = parse(PYTHON_SESSION_START);
    HParams.Record experiment = parse(PYTHON_EXPERIMENT);
    HParams.Record end = parse(PYTHON_SESSION_END);

    assertThat(start)
        .isEqualTo(
            new HParams.SessionStart(
                Map.of("variant", "annealed-step", "seed", 3.0, "lr", 0.001, "pooling", true), "annealed-step-seed3", 1700000000.5));
    // The interval domain of "seed" and the group of "test/f1" are not modelled and skipped.
    assertThat(experiment)
        .isEqualTo(
            new HParams.Experiment(
                List.of(
                    HParams.Definition.discrete("variant", List.of("annealed", "fixed")),
                    HParams.Definition.of("seed", HParams.Type.FLOAT64),
                    HParams.Definition.discrete("pooling", List.of(false, true))),
                List.of("validation/accuracy", "test/f1")));
    assertThat(end).isEqualTo(new HParams.SessionEnd(HParams.Status.SUCCESS, 1700000100.25));
  }

  @Test
  void whatKilnWritesMatchesTensorBoardsBytesForTheSameSessionEnd() throws IOException {
    Summary.Value ours = HParams.sessionEnd(new HParams.SessionEnd(HParams.Status.SUCCESS, 1700000100.25));

    assertThat(HexFormat.of().formatHex(ours.toByteArray())).isEqualTo(PYTHON_SESSION_END);
  }

  @Test
  void numbersAreStoredAsDoubles() {
    HParams.SessionStart start = new HParams.SessionStart(Map.of("seed", 3, "batch", 32L, "scale", 0.5f), "", 0);

    assertThat(start.hparams()).containsExactly("seed", 3.0, "batch", 32.0, "scale", 0.5);
  }

  @Test
  void aValueThatIsNotAStringNumberOrBooleanIsRejectedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new HParams.SessionStart(Map.of("schedule", List.of(1, 2)), "", 0));

    assertThat(e).hasMessageThat().contains("hyperparameter 'schedule'");
    assertThat(e).hasMessageThat().contains("String, a Number or a Boolean");
  }

  @Test
  void definitionsAreChecked() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> HParams.Definition.of(" ", HParams.Type.STRING)))
        .hasMessageThat()
        .contains("must not be blank");
    assertThat(assertThrows(IllegalArgumentException.class, () -> HParams.Definition.discrete("variant", List.of())))
        .hasMessageThat()
        .contains("'variant' needs at least one value");
    assertThat(assertThrows(IllegalArgumentException.class, () -> HParams.Definition.discrete("seed", List.of(1, "two"))))
        .hasMessageThat()
        .contains("'seed' is declared FLOAT64, but its domain holds the value two of type String");
    assertThat(
            assertThrows(
                IllegalArgumentException.class,
                () -> new HParams.Experiment(
                    List.of(HParams.Definition.of("seed", HParams.Type.FLOAT64), HParams.Definition.of("seed", HParams.Type.STRING)),
                    List.of())))
        .hasMessageThat()
        .contains("'seed' is defined twice");
    assertThat(assertThrows(IllegalArgumentException.class, () -> new HParams.Experiment(List.of(), List.of("loss", "loss"))))
        .hasMessageThat()
        .contains("'loss' is listed twice");
  }

  @Test
  void otherPluginsValuesAreNotHParamsRecords() throws IOException {
    Summary.Value scalar = Summary.Value.newBuilder().setTag("loss").setSimpleValue(1).build();

    assertThat(HParams.parse(scalar)).isEmpty();
  }

  @Test
  void malformedPluginDataIsAnErrorNamingTheTag() {
    Summary.Value garbage = withContent("_hparams_/session_start_info", new byte[] {0x1a, 0x05, 0x01});
    Summary.Value empty = withContent("_hparams_/experiment", new byte[0]);
    // HParamsPluginData{version = 1, session_end_info {}}
    Summary.Value version1 = withContent("_hparams_/session_end_info", new byte[] {0x08, 0x01, 0x22, 0x00});

    assertThat(assertThrows(InvalidProtocolBufferException.class, () -> HParams.parse(garbage)))
        .hasMessageThat()
        .startsWith("HParams summary '_hparams_/session_start_info': ");
    assertThat(assertThrows(InvalidProtocolBufferException.class, () -> HParams.parse(empty)))
        .hasMessageThat()
        .contains("holds no experiment, session start or session end");
    assertThat(assertThrows(InvalidProtocolBufferException.class, () -> HParams.parse(version1)))
        .hasMessageThat()
        .contains("plugin data version 1 is not supported");
  }

  @Test
  void aCorruptRecordInAFileNamesTheFile() throws IOException {
    Path file;
    try (EventFileWriter writer = EventFileWriter.create(temp)) {
      file = writer.file();
      writer.summary(0, withContent("_hparams_/experiment", new byte[0]));
    }

    IOException e = assertThrows(IOException.class, () -> HParams.read(temp));

    assertThat(e).hasMessageThat().startsWith(file.toString());
    assertThat(Files.exists(file)).isTrue();
  }

  private static HParams.Record parse(String hex) throws IOException {
    Optional<HParams.Record> record = HParams.parse(Summary.Value.parseFrom(HexFormat.of().parseHex(hex)));
    assertThat(record).isPresent();
    return record.get();
  }

  private static Summary.Value withContent(String tag, byte[] content) {
    return Summary.Value.newBuilder()
        .setTag(tag)
        .setMetadata(
            SummaryMetadata.newBuilder()
                .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("hparams").setContent(ByteString.copyFrom(content))))
        .build();
  }

  /** The HParamsPluginData of {@code value}, checking that it is of version 0 (an absent field 1). */
  private static UnknownFieldSet pluginData(Summary.Value value) throws IOException {
    UnknownFieldSet data = UnknownFieldSet.parseFrom(value.getMetadata().getPluginData().getContent());
    assertThat(data.hasField(1)).isFalse();
    return data;
  }

  /** The one sub-message in field {@code number} of {@code fields}, which holds no other field. */
  private static UnknownFieldSet onlyMessage(UnknownFieldSet fields, int number) throws IOException {
    assertThat(fields.asMap().keySet()).containsExactly(number);
    assertThat(fields.getField(number).getLengthDelimitedList()).hasSize(1);
    return UnknownFieldSet.parseFrom(fields.getField(number).getLengthDelimitedList().get(0));
  }
}
