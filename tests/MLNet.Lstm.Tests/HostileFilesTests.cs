using Google.Protobuf;
using MLNet.Lstm.Onnx.Proto;

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
}
