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
}
