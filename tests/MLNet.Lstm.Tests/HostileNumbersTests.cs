using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Numbers a user or an attacker might hand over — NaN and infinity in weights, labels and
/// options, sizes past what an array holds, data too small to learn from — are refused with a
/// message naming the tensor, row or option, never turned into finite-looking garbage.
/// </summary>
[TestClass]
public sealed class HostileNumbersTests
{
    [TestMethod]
    public void FromWeightsRefusesNaNInACellTensorNamingIt()
    {
        var weights = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, seed: 1).GetWeights();
        weights.GetCell(0, 0).WeightHh[5] = float.NaN;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights layer 0, direction 0, WeightHh: expected finite values, found NaN at index 5. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void FromWeightsRefusesInfinityInTheHeadNamingIt()
    {
        var weights = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 2, seed: 1).GetWeights();
        weights.HeadBias![1] = float.NegativeInfinity;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights HeadBias: expected finite values, found -Infinity at index 1. (Parameter 'weights')", e.Message);
    }

    [TestMethod]
    public void FromOnnxStreamRefusesNaNInAnInitializerNamingIt()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, seed: 1).ToOnnxBytes());
        SetValue(proto.Graph.Initializer.Single(t => t.Name == "lstm0_R"), 3, float.NaN);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its tensor 'lstm0_R' (read by LSTM node 'lstm0') holds NaN at index 3; expected finite parameters.", e.Message);
    }

    [TestMethod]
    public void FromOnnxFileRefusesInfinityInAConstantNodeNamingIt()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 1, seed: 1).ToOnnxBytes());
        var head = proto.Graph.Initializer.Single(t => t.Name == "fc.weight");
        proto.Graph.Initializer.Remove(head);
        SetValue(head, 2, float.PositiveInfinity);
        proto.Graph.Node.Insert(0, new NodeProto
        {
            OpType = "Constant",
            Name = "head_weight",
            Output = { "fc.weight" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = head } },
        });
        string path = Path.Combine(Path.GetTempPath(), $"hostile-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: its tensor 'fc.weight' (read by Gemm node 'fc') holds Infinity at index 2; expected finite parameters.", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void SetValue(TensorProto tensor, int index, float value)
    {
        var values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        values[index] = value;
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
