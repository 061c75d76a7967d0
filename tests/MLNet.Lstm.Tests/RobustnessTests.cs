using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>Odd rows and odd model files: isolated, or refused with a clear message.</summary>
[TestClass]
public sealed class RobustnessTests
{
    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteValueInOneRowLeavesTheOtherRowsOfItsBatchUnchanged(float bad)
    {
        var mlContext = new MLContext(seed: 1);
        var sequences = TestData.Random(count: 9, steps: 5, features: 2, seed: 8);
        var model = LstmModel.CreateRandom(2, 6, numLayers: 2, outputSize: 1, seed: 8);
        var options = new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden, BatchSize = 16 };
        using var clean = mlContext.Transforms.LstmFeaturizeSequence(model, options).Fit(TestData.Sequences(mlContext, sequences));
        var expected = TestData.Features(clean.Transform(TestData.Sequences(mlContext, sequences)));

        sequences[4][2][1] = bad;
        var data = TestData.Sequences(mlContext, sequences);
        var actual = TestData.Features(clean.Transform(data));

        for (int row = 0; row < sequences.Length; row++)
        {
            if (row == 4)
            {
                Assert.IsTrue(actual[row].All(float.IsNaN), "the row with a non-finite value is missing (all NaN)");
            }
            else
            {
                CollectionAssert.AreEqual(expected[row], actual[row], $"row {row}");
            }
        }
    }

    [TestMethod]
    public void ModelThatFixesTheSequenceLengthRefusesOtherLengthsAtFit()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(2, 4).ToOnnxBytes());
        proto.Graph.Input[0].Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = 7 };
        var model = LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray()));
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(2, 5, 2, seed: 1));

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data));

        Assert.AreEqual(7, model.SequenceLength);
        Assert.AreEqual("Input column 'Sequence': the model takes sequences of exactly 7 steps, found 5 steps. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void ModelWhoseInputFeaturesDisagreeWithItsLstmIsRefused()
    {
        var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(2, 4).ToOnnxBytes());
        proto.Graph.Input[0].Type.TensorType.Shape.Dim[2] = new TensorShapeProto.Types.Dimension { DimValue = 3 };

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(new MemoryStream(proto.ToByteArray())));

        Assert.AreEqual("ONNX model 'stream' cannot be used as an LSTM: its input 'input' has 3 features but its first LSTM expects 2.", e.Message);
    }

    [TestMethod]
    public void ExternalDataOutsideTheModelsFolderIsRefused()
    {
        string folder = Directory.CreateTempSubdirectory("lstm-external").FullName;
        try
        {
            var proto = ModelProto.Parser.ParseFrom(LstmModel.CreateRandom(1, 4).ToOnnxBytes());
            var weights = proto.Graph.Initializer.First(t => t.Name == "lstm0_R");
            weights.RawData = ByteString.Empty;
            weights.DataLocation = TensorProto.Types.DataLocation.External;
            weights.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../secrets.bin" });
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(path, proto.ToByteArray());

            var e = Assert.ThrowsExactly<InvalidDataException>(() => LstmModel.FromOnnx(path));

            Assert.AreEqual($"ONNX model '{path}' cannot be used as an LSTM: tensor 'lstm0_R' refers to external data '../secrets.bin', which is outside the model's folder '{folder}'.", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ExternalDataInsideTheModelsFolderIsLoaded()
    {
        string folder = Directory.CreateTempSubdirectory("lstm-external").FullName;
        try
        {
            var original = LstmModel.CreateRandom(1, 4, seed: 2);
            var proto = ModelProto.Parser.ParseFrom(original.ToOnnxBytes());
            var weights = proto.Graph.Initializer.First(t => t.Name == "lstm0_R");
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), [1, 2, 3, .. weights.RawData.ToByteArray()]);
            weights.RawData = ByteString.Empty;
            weights.DataLocation = TensorProto.Types.DataLocation.External;
            weights.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
            weights.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "3" });
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(path, proto.ToByteArray());

            var loaded = LstmModel.FromOnnx(path);

            CollectionAssert.AreEqual(original.GetWeights().GetCell(0, 0).WeightHh, loaded.GetWeights().GetCell(0, 0).WeightHh);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
