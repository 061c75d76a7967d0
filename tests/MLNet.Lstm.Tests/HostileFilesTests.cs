using Google.Protobuf;
using Microsoft.ML;
using MLNet.Lstm.Onnx;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Model files and .ts files written to hurt: links out of the model's folder, malformed LSTM
/// nodes and external-data entries, graphs of unusual shape. Each is refused with a message
/// naming the file and what is wrong, or read as its author meant.
/// </summary>
[TestClass]
public sealed class HostileFilesTests
{
    private static readonly LstmModel Original = LstmModel.CreateRandom(1, 4, seed: 2);

    private static string NewFolder() => Directory.CreateTempSubdirectory("lstm-hostile").FullName;

    /// <summary>Writes model.onnx into <paramref name="folder"/> with lstm0_R kept in the external file <paramref name="location"/>.</summary>
    private static string WriteWithExternalR(string folder, string location, params (string Key, string Value)[] extra)
    {
        var proto = ModelProto.Parser.ParseFrom(Original.ToOnnxBytes());
        var r = proto.Graph.Initializer.First(t => t.Name == "lstm0_R");
        r.RawData = ByteString.Empty;
        r.DataLocation = TensorProto.Types.DataLocation.External;
        r.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        foreach (var (key, value) in extra)
        {
            r.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        string path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }

    private static byte[] RBytes() =>
        ModelProto.Parser.ParseFrom(Original.ToOnnxBytes()).Graph.Initializer.First(t => t.Name == "lstm0_R").RawData.ToByteArray();

    [TestMethod]
    public void ExternalDataThatIsALinkToAFileOutsideTheFolderIsRefused()
    {
        string folder = NewFolder(), outside = NewFolder();
        try
        {
            string secret = Path.Combine(outside, "secret.bin");
            File.WriteAllBytes(secret, RBytes());
            File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), secret);
            string path = WriteWithExternalR(folder, "weights.bin");

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' refers to external data 'weights.bin', which is a link to '{secret}', outside the model's folder '{folder}'.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataInsideALinkedFolderThatLeavesTheModelsFolderIsRefused()
    {
        string folder = NewFolder(), outside = NewFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "weights.bin"), RBytes());
            Directory.CreateSymbolicLink(Path.Combine(folder, "data"), outside);
            string path = WriteWithExternalR(folder, "data/weights.bin");

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' refers to external data 'data/weights.bin', which is a link to '{Path.Combine(outside, "weights.bin")}', outside the model's folder '{folder}'.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataThatIsALinkWithinTheModelsFolderIsLoaded()
    {
        string folder = NewFolder();
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "store"));
            File.WriteAllBytes(Path.Combine(folder, "store", "r.bin"), RBytes());
            File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), Path.Combine("store", "r.bin"));
            string path = WriteWithExternalR(folder, "weights.bin");

            var loaded = LstmModel.FromOnnx(path);

            CollectionAssert.AreEqual(Original.GetWeights().GetCell(0, 0).WeightHh, loaded.GetWeights().GetCell(0, 0).WeightHh);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataOfAModelReachedThroughALinkedFolderIsLoaded()
    {
        string folder = NewFolder(), links = NewFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), RBytes());
            WriteWithExternalR(folder, "weights.bin");
            Directory.CreateSymbolicLink(Path.Combine(links, "model"), folder);

            var loaded = LstmModel.FromOnnx(Path.Combine(links, "model", "model.onnx"));

            CollectionAssert.AreEqual(Original.GetWeights().GetCell(0, 0).WeightHh, loaded.GetWeights().GetCell(0, 0).WeightHh);
        }
        finally
        {
            Directory.Delete(links, recursive: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static InvalidDataException RefusedFromStream(Action<GraphProto> edit, LstmModel? model = null)
    {
        var proto = ModelProto.Parser.ParseFrom((model ?? Original).ToOnnxBytes());
        edit(proto.Graph);
        return Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));
    }

    private const string Refused = "ONNX model 'stream' cannot be used as an LSTM: ";

    [TestMethod]
    public void LstmNodeWithFewerThanThreeInputsIsRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var lstm = graph.Node.First(n => n.OpType == "LSTM");
            lstm.Input.RemoveAt(3);
            lstm.Input.RemoveAt(2);
        });

        Assert.AreEqual(Refused + "LSTM node 'lstm0' has inputs ('x_time_major', 'lstm0_W'); expected at least X, W and R, each named.", e.Message);
    }

    [TestMethod]
    public void LstmNodeWhoseRIsLeftUnnamedIsRefused()
    {
        var e = RefusedFromStream(graph => graph.Node.First(n => n.OpType == "LSTM").Input[2] = "");

        Assert.AreEqual(Refused + "LSTM node 'lstm0' has inputs ('x_time_major', 'lstm0_W', '', 'lstm0_B'); expected at least X, W and R, each named.", e.Message);
    }

    [TestMethod]
    public void LstmNodeWhoseRIsNotInTheGraphIsRefused()
    {
        var e = RefusedFromStream(graph => graph.Initializer.Remove(graph.Initializer.First(t => t.Name == "lstm0_R")));

        Assert.AreEqual(Refused + "input R 'lstm0_R' of LSTM node 'lstm0' is not defined in the graph; expected a graph input, an initializer or a node's output of that name.", e.Message);
    }

    [TestMethod]
    public void LstmWeightsOfTheWrongRankAreRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var w = graph.Initializer.First(t => t.Name == "lstm0_W");
            w.Dims.Clear();
            w.Dims.AddRange([16, 1]);
        });

        Assert.AreEqual(Refused + "tensor 'lstm0_W', input W of LSTM node 'lstm0', has shape [16, 1]; expected [1, 16, F].", e.Message);
    }

    [TestMethod]
    public void LstmWeightsOfTheWrongDimensionsAreRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var w = graph.Initializer.First(t => t.Name == "lstm0_W");
            w.Dims[1] = 12;
        });

        Assert.AreEqual(Refused + "tensor 'lstm0_W', input W of LSTM node 'lstm0', has shape [1, 12, 1]; expected [1, 16, 1].", e.Message);
    }

    [TestMethod]
    public void SecondLayerRecurrentWeightsOfTheWrongDimensionsAreRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var r = graph.Initializer.First(t => t.Name == "lstm1_R");
            r.Dims[2] = 3;
        }, LstmModel.CreateRandom(2, 4, numLayers: 2, bidirectional: true));

        Assert.AreEqual(Refused + "tensor 'lstm1_R', input R of LSTM node 'lstm1', has shape [2, 16, 3]; expected [2, 16, 4].", e.Message);
    }

    [TestMethod]
    public void LstmBiasHoldingFewerValuesThanItsShapeIsRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var b = graph.Initializer.First(t => t.Name == "lstm0_B");
            b.RawData = ByteString.CopyFrom(b.RawData.Span[..(7 * sizeof(float))]);
        });

        Assert.AreEqual(Refused + "tensor 'lstm0_B', input B of LSTM node 'lstm0', holds 7 values; expected 32, as its shape says.", e.Message);
    }

    [TestMethod]
    public void LstmBiasOfTheWrongLengthIsRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var b = graph.Initializer.First(t => t.Name == "lstm0_B");
            b.Dims[1] = 16;
            b.RawData = ByteString.CopyFrom(b.RawData.Span[..(16 * sizeof(float))]);
        });

        Assert.AreEqual(Refused + "tensor 'lstm0_B', input B of LSTM node 'lstm0', has shape [1, 16]; expected [1, 32].", e.Message);
    }

    [TestMethod]
    public void LstmWeightsWhoseRawDataIsNotWholeFloatsAreRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            var r = graph.Initializer.First(t => t.Name == "lstm0_R");
            r.RawData = ByteString.CopyFrom(r.RawData.Span[..^1]);
        });

        Assert.AreEqual(Refused + "tensor 'lstm0_R', input R of LSTM node 'lstm0', holds 255 bytes of raw data, not a whole number of floats; expected 64 values.", e.Message);
    }

    [TestMethod]
    public void LstmWeightsOfAnotherElementTypeAreRefused()
    {
        var e = RefusedFromStream(graph => graph.Initializer.First(t => t.Name == "lstm0_R").DataType = (int)TensorProto.Types.DataType.Double);

        Assert.AreEqual(Refused + "tensor 'lstm0_R', input R of LSTM node 'lstm0', holds element type 11; expected 1 (float).", e.Message);
    }

    [TestMethod]
    [DataRow("offset", "abc")]
    [DataRow("offset", "-3")]
    [DataRow("offset", "99999999999999999999")]
    [DataRow("length", " 64")]
    [DataRow("length", "-1")]
    [DataRow("length", "1e3")]
    public void ExternalDataWhoseOffsetOrLengthIsNotAByteCountIsRefused(string key, string value)
    {
        string folder = NewFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), RBytes());
            string path = WriteWithExternalR(folder, "weights.bin", (key, value));

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' refers to external data 'weights.bin' with {key} '{value}'; expected a whole number of bytes from 0 to 9223372036854775807.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("9223372036854775807", "10")]
    [DataRow("0", "9223372036854775807")]
    [DataRow("300", null)]
    [DataRow("200", "64")]
    public void ExternalDataBeyondTheEndOfItsFileIsRefused(string offset, string? length)
    {
        string folder = NewFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), RBytes());
            (string, string)[] entries = length is null ? [("offset", offset)] : [("offset", offset), ("length", length)];
            string path = WriteWithExternalR(folder, "weights.bin", entries);

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' refers to {length ?? "the rest"} bytes from offset {offset} of external data 'weights.bin', which holds 256 bytes.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataWithoutALocationIsRefused()
    {
        string folder = NewFolder();
        try
        {
            string path = WriteWithExternalR(folder, "weights.bin");
            var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            proto.Graph.Initializer.First(t => t.Name == "lstm0_R").ExternalData.Clear();
            File.WriteAllBytes(path, proto.ToByteArray());

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' keeps its data in an external file but names no location; expected a 'location' entry holding a file name inside the model's folder.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataOfTheWrongSizeForItsTensorIsRefused()
    {
        string folder = NewFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), RBytes());
            string path = WriteWithExternalR(folder, "weights.bin", ("length", "40"));

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R', input R of LSTM node 'lstm0', holds 10 values; expected 64, as its shape says.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static LstmModel Edited(LstmModel model, Action<GraphProto> edit)
    {
        var proto = ModelProto.Parser.ParseFrom(model.ToOnnxBytes());
        edit(proto.Graph);
        return LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));
    }

    private static float[][] Featurize(LstmModel model, LstmRepresentation representation, float[][][] sequences)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation }).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }

    /// <summary>The graph returns h_n[-1] itself, as a module whose forward ends in <c>return h_n[-1]</c> exports it.</summary>
    private static LstmModel ReturningLastHidden(LstmModel headless) => Edited(headless, graph =>
    {
        graph.Node.Remove(graph.Node.First(n => n.Name == "to_batch_major"));
        graph.Node.Add(OnnxTensors.Node("Transpose", "h_n_batch_major", ["lstm0_Y_h"], ["h_n_batch_major"], OnnxTensors.Ints("perm", 1, 0, 2)));
        graph.Node.Add(OnnxTensors.Node("Flatten", "h_n_last", ["h_n_batch_major"], ["h_last"], OnnxTensors.Int("axis", 1)));
        graph.Output.Clear();
        graph.Output.Add(OnnxTensors.FloatValue("h_last", "batch", 4));
    });

    /// <summary>The graph's head is Linear then sigmoid: two nodes.</summary>
    private static LstmModel WithSigmoidHead(LstmModel model) => Edited(model, graph =>
    {
        graph.Node.First(n => n.OpType == "Gemm").Output[0] = "logits";
        graph.Node.Add(OnnxTensors.Node("Sigmoid", "act", ["logits"], ["output"]));
    });

    [TestMethod]
    public void ModelOutputOfAGraphThatReturnsItsLastHiddenStateIsThatState()
    {
        var headless = LstmModel.CreateRandom(2, 4, seed: 5);
        var model = ReturningLastHidden(headless);
        var sequences = TestData.Random(count: 6, steps: 5, features: 2, seed: 5);

        var actual = Featurize(model, LstmRepresentation.ModelOutput, sequences);

        Assert.AreEqual(4, model.OutputSize);
        Assertions.AreClose(Featurize(headless, LstmRepresentation.LastHidden, sequences), actual, 1e-6);
    }

    [TestMethod]
    public void ModelOutputOfAHeadOfSeveralNodesIsTheGraphsOwnOutput()
    {
        var plain = LstmModel.CreateRandom(2, 4, outputSize: 3, seed: 6);
        var model = WithSigmoidHead(plain);
        var sequences = TestData.Random(count: 6, steps: 5, features: 2, seed: 6);
        var expected = Featurize(plain, LstmRepresentation.ModelOutput, sequences).Select(row => row.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray()).ToArray();

        var actual = Featurize(model, LstmRepresentation.ModelOutput, sequences);

        Assert.AreEqual(3, model.OutputSize);
        Assertions.AreClose(expected, actual, 1e-6);
    }

    [TestMethod]
    public void WeightsOfAHeadOfSeveralNodesAreRefused()
    {
        var model = WithSigmoidHead(LstmModel.CreateRandom(2, 4, outputSize: 3, seed: 6));

        var e = Assert.ThrowsExactly<NotSupportedException>(model.GetWeights);

        Assert.AreEqual("ONNX model 'stream': its head (Gemm 'fc', Sigmoid 'act') is not one Gemm of constant weights producing its output 'output' [batch, 3], so its weights cannot be read in PyTorch layout.", e.Message);
    }

    [TestMethod]
    public void WeightsOfAGraphThatReturnsItsLastHiddenStateAreItsLstmsWithoutAHead()
    {
        var headless = LstmModel.CreateRandom(2, 4, seed: 5);

        var weights = ReturningLastHidden(headless).GetWeights();

        Assert.AreEqual(0, weights.OutputSize);
        CollectionAssert.AreEqual(headless.GetWeights().GetCell(0, 0).WeightHh, weights.GetCell(0, 0).WeightHh);
    }

    [TestMethod]
    public void GraphTakingInitialStatesAsInputsRunsFromZeroStates()
    {
        // torch.onnx.export of lstm(x, (h0, c0)) with two layers: h0/c0 [2, batch, 4], one slice per layer.
        var plain = LstmModel.CreateRandom(2, 4, numLayers: 2, seed: 7);
        var model = Edited(plain, graph =>
        {
            foreach (var state in new[] { "h0", "c0" })
            {
                graph.Input.Add(OnnxTensors.FloatValue(state, 2, "batch", 4));
                for (int layer = 0; layer < 2; layer++)
                {
                    graph.Initializer.Add(OnnxTensors.Int64($"{state}_index{layer}", [layer], 1));
                    graph.Node.Insert(0, OnnxTensors.Node("Gather", $"{state}_layer{layer}", [state, $"{state}_index{layer}"], [$"{state}_{layer}"], OnnxTensors.Int("axis", 0)));
                }
            }
            foreach (var lstm in graph.Node.Where(n => n.OpType == "LSTM"))
            {
                string layer = lstm.Name[^1..];
                lstm.Input.AddRange(["", $"h0_{layer}", $"c0_{layer}"]);
            }
        });
        var sequences = TestData.Random(count: 6, steps: 5, features: 2, seed: 7);

        var actual = Featurize(model, LstmRepresentation.LastHiddenAllLayers, sequences);

        CollectionAssert.AreEqual(Featurize(plain, LstmRepresentation.LastHiddenAllLayers, sequences).SelectMany(r => r).ToArray(), actual.SelectMany(r => r).ToArray());
    }

    [TestMethod]
    public void InitialStateInputWithoutAFixedHiddenSizeIsRefused()
    {
        var e = RefusedFromStream(graph =>
        {
            graph.Input.Add(OnnxTensors.FloatValue("h0", 1, "batch", "hidden"));
            graph.Node.First(n => n.OpType == "LSTM").Input.AddRange(["", "h0"]);
        });

        Assert.AreEqual(Refused + "its input 'h0' [1, batch, hidden] carries an LSTM's initial state, which the featurizer runs as zeros; expected float of shape [layers·directions, batch, hidden] with fixed layers·directions and hidden.", e.Message);
    }

    [TestMethod]
    public void AConstantSequenceLensIsRefusedAtLoad()
    {
        var proto = ModelProto.Parser.ParseFrom(Original.ToOnnxBytes());
        var lengths = new TensorProto { Name = "lstm0_lens", DataType = (int)TensorProto.Types.DataType.Int32 };
        lengths.Dims.Add(2);
        lengths.Int32Data.AddRange([3, 3]);
        proto.Graph.Initializer.Add(lengths);
        proto.Graph.Node.First(n => n.OpType == "LSTM").Input.Add("lstm0_lens");

        var e = Assert.ThrowsExactly<NotSupportedException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream': LSTM node 'lstm0' reads sequence_lens 'lstm0_lens'; expected none. The featurizer runs each row to its own length " +
            "by grouping rows of one length, and ONNX Runtime would apply a fixed sequence_lens to every batch, whatever its size. Export the LSTM without sequence_lens.", e.Message);
    }

    [TestMethod]
    public void ASequenceLensGraphInputIsRefusedAtLoad()
    {
        var proto = ModelProto.Parser.ParseFrom(Original.ToOnnxBytes());
        var lengths = new ValueInfoProto { Name = "lens", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int32, Shape = new TensorShapeProto() } } };
        lengths.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        proto.Graph.Input.Add(lengths);
        proto.Graph.Node.First(n => n.OpType == "LSTM").Input.Add("lens");

        var e = Assert.ThrowsExactly<NotSupportedException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': LSTM node 'lstm0' reads sequence_lens 'lens'; expected none.");
    }

    [TestMethod]
    public void GraphDeclaringNoOutputIsRefused()
    {
        var e = RefusedFromStream(graph => graph.Output.Clear());

        Assert.AreEqual(Refused + "its graph declares no output; expected at least one, the model's own output.", e.Message);
    }

    [TestMethod]
    public void ParallelLstmNodesAreRefused()
    {
        var e = RefusedFromStream(graph => graph.Node.First(n => n.Name == "lstm1").Input[0] = "x_time_major",
            LstmModel.CreateRandom(4, 4, numLayers: 2));

        Assert.AreEqual(Refused + "its LSTM nodes are not one chain of layers: 'lstm1' does not read the output of 'lstm0'; expected each LSTM node to read the one before it (parallel LSTMs are not supported).", e.Message);
    }

    private static void SetAttribute(NodeProto node, AttributeProto attribute)
    {
        if (node.Attribute.FirstOrDefault(a => a.Name == attribute.Name) is { } existing)
        {
            node.Attribute.Remove(existing);
        }
        node.Attribute.Add(attribute);
    }

    public static IEnumerable<object[]> LstmFeaturesWeightsCannotCarry =>
    [
        ["clip", "attribute clip = 0.1"],
        ["input_forget", "attribute input_forget = 1"],
        ["activations", "attribute activations = Sigmoid, Relu, Tanh"],
        ["P", "peephole input P 'lstm0_P'"],
        ["initial_h", "non-zero constant input initial_h 'lstm0_h0'"],
    ];

    /// <summary>The seed-like LSTM with <paramref name="feature"/> added to its node, which ONNX Runtime honours.</summary>
    private static LstmModel WithLstmFeature(LstmModel model, string feature) => Edited(model, graph =>
    {
        var lstm = graph.Node.First(n => n.OpType == "LSTM");
        int hidden = model.HiddenSize;
        switch (feature)
        {
            case "clip":
                SetAttribute(lstm, new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = 0.1f });
                break;
            case "input_forget":
                SetAttribute(lstm, OnnxTensors.Int("input_forget", 1));
                break;
            case "activations":
                var activations = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
                activations.Strings.AddRange(new[] { "Sigmoid", "Relu", "Tanh" }.Select(ByteString.CopyFromUtf8));
                SetAttribute(lstm, activations);
                break;
            case "P":
                graph.Initializer.Add(OnnxTensors.Float("lstm0_P", Enumerable.Repeat(0.5f, 3 * hidden).ToArray(), 1, 3 * hidden));
                lstm.Input.AddRange(["", "", "", "lstm0_P"]);
                break;
            case "initial_h":
                graph.Initializer.Add(OnnxTensors.Float("lstm0_h0", Enumerable.Repeat(0.5f, hidden).ToArray(), 1, 1, hidden));
                lstm.Input.AddRange(["", "lstm0_h0"]);
                break;
        }
    });

    [TestMethod]
    [DynamicData(nameof(LstmFeaturesWeightsCannotCarry))]
    public void WeightsOfAnLstmWithWhatPyTorchsLayoutCannotCarryAreRefused(string feature, string what)
    {
        var model = WithLstmFeature(LstmModel.CreateRandom(1, 4, seed: 8), feature);

        var e = Assert.ThrowsExactly<NotSupportedException>(model.GetWeights);

        Assert.AreEqual($"ONNX model 'stream': LSTM node 'lstm0' has {what}, which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.", e.Message);
    }

    [TestMethod]
    [DynamicData(nameof(LstmFeaturesWeightsCannotCarry))]
    public void FineTuningAnLstmWithWhatPyTorchsLayoutCannotCarryIsRefused(string feature, string what)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(count: 8, steps: 6, features: 1, seed: 8));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
        {
            InitialModel = WithLstmFeature(LstmModel.CreateRandom(1, 4, seed: 8), feature),
            Epochs = 1,
        });

        var e = Assert.ThrowsExactly<NotSupportedException>(() => estimator.Fit(data));

        StringAssert.StartsWith(e.Message, $"ONNX model 'stream': LSTM node 'lstm0' has {what}, which");
    }

    [TestMethod]
    public void LstmFeaturesPyTorchsLayoutCannotCarryChangeWhatTheFeaturizerComputes()
    {
        // Why they are refused: ONNX Runtime honours each, so dropping it would change the features.
        var plain = LstmModel.CreateRandom(1, 4, seed: 8);
        var sequences = TestData.Random(count: 4, steps: 6, features: 1, seed: 8);
        var expected = Featurize(plain, LstmRepresentation.LastHidden, sequences);

        // A constant initial state fixes the batch (ONNX Runtime does not broadcast it), so it is not run here.
        foreach (var feature in new[] { "clip", "input_forget", "activations", "P" })
        {
            var actual = Featurize(WithLstmFeature(plain, feature), LstmRepresentation.LastHidden, sequences);
            Assert.IsFalse(expected.Zip(actual).All(rows => rows.First.SequenceEqual(rows.Second)), feature);
        }
    }

    [TestMethod]
    [DataRow("alpha", "attribute alpha = 2")]
    [DataRow("beta", "attribute beta = 2")]
    [DataRow("transA", "attribute transA = 1")]
    public void WeightsOfAHeadGemmThatIsNotALinearLayerAreRefused(string attribute, string what)
    {
        var model = Edited(LstmModel.CreateRandom(1, 4, outputSize: 1, seed: 8), graph =>
            SetAttribute(graph.Node.First(n => n.OpType == "Gemm"), attribute == "transA"
                ? OnnxTensors.Int("transA", 1)
                : new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Float, F = 2f }));

        var e = Assert.ThrowsExactly<NotSupportedException>(model.GetWeights);

        Assert.AreEqual($"ONNX model 'stream': Gemm node 'fc' has {what}, which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it.", e.Message);
    }

    [TestMethod]
    public void FineTuningAHeadGemmThatIsNotALinearLayerIsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(count: 8, steps: 6, features: 1, seed: 8));
        var initial = Edited(LstmModel.CreateRandom(1, 4, outputSize: 1, seed: 8), graph =>
            SetAttribute(graph.Node.First(n => n.OpType == "Gemm"), new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 2f }));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { InitialModel = initial, Epochs = 1 });

        var e = Assert.ThrowsExactly<NotSupportedException>(() => estimator.Fit(data));

        StringAssert.StartsWith(e.Message, "ONNX model 'stream': Gemm node 'fc' has attribute alpha = 2, which");
    }

    [TestMethod]
    public void WeightsOfAnLstmWhoseActivationsAreTheDefaultsSpelledOutAreRead()
    {
        var plain = LstmModel.CreateRandom(1, 4, seed: 8);
        var model = Edited(plain, graph =>
        {
            var activations = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
            activations.Strings.AddRange(new[] { "Sigmoid", "Tanh", "Tanh" }.Select(ByteString.CopyFromUtf8));
            SetAttribute(graph.Node.First(n => n.OpType == "LSTM"), activations);
        });

        CollectionAssert.AreEqual(plain.GetWeights().GetCell(0, 0).WeightIh, model.GetWeights().GetCell(0, 0).WeightIh);
    }

    private static T WithTsFile<T>(byte[] bytes, Func<string, T> read)
    {
        string folder = NewFolder();
        try
        {
            string path = Path.Combine(folder, "data.ts");
            File.WriteAllBytes(path, bytes);
            return read(path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static InvalidDataException TsRefused(string text, out string path)
    {
        string written = "";
        var e = WithTsFile(System.Text.Encoding.UTF8.GetBytes(text), file =>
        {
            written = file;
            return Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(seed: 1).Data.LoadFromTsFile(file));
        });
        path = written;
        return e;
    }

    [TestMethod]
    public void TsFileWithAnUnlabelledLineAmongLabelledOnesIsRefused()
    {
        var e = TsRefused("@data\n1,2,3:a\n4,5,6\n7,8,9:b\n", out string path);

        Assert.AreEqual($".ts file '{path}', line 3: found no class label, but the first data line (line 2) has one; expected every line to have a label or none to (a @classLabel tag says which).", e.Message);
    }

    [TestMethod]
    public void TsFileWithALabelledLineAmongUnlabelledOnesIsRefused()
    {
        var e = TsRefused("@data\n1,2,3\n4,5,6:a\n", out string path);

        Assert.AreEqual($".ts file '{path}', line 3: found a class label, but the first data line (line 2) has none; expected every line to have a label or none to (a @classLabel tag says which).", e.Message);
    }

    [TestMethod]
    public void TsFileDeclaringLabelsWithAnUnlabelledLineIsRefused()
    {
        var e = TsRefused("@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n4,5,6\n", out string path);

        Assert.AreEqual($".ts file '{path}', line 5: @classLabel is true, but the line has no class label after its values; expected values:label.", e.Message);
    }

    [TestMethod]
    public void TsFileWithInvalidUtf8IsRefusedNamingTheLine()
    {
        // "café" in Latin-1: the é is byte 0xE9, not valid UTF-8.
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes("@data\n1,2:caf"), 0xE9, .. System.Text.Encoding.UTF8.GetBytes("\n3,4:cafe\n")];
        string path = "";

        var e = WithTsFile(bytes, file =>
        {
            path = file;
            return Assert.ThrowsExactly<InvalidDataException>(() => TimeSeriesFile.Read(file));
        });

        Assert.AreEqual($".ts file '{path}', line 2: expected UTF-8 text, found bytes that are not valid UTF-8 (re-save the file as UTF-8).", e.Message);
    }

    [TestMethod]
    public void TsLabelsThatDifferOnlyInAccentsStayDistinctClasses()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("@data\n1,2:café\n3,4:cafè\n5,6:café\n")];

        var file = WithTsFile(bytes, TimeSeriesFile.Read);

        CollectionAssert.AreEqual(new[] { "café", "cafè", "café" }, file.Labels.ToArray());
        CollectionAssert.AreEqual(new[] { "cafè", "café" }, file.ClassLabels.ToArray());
    }
}
