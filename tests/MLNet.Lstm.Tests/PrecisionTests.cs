using Microsoft.ML;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>LstmPrecision.Int8: ONNX Runtime's int8 LSTM, close to fp32, a session setting only.</summary>
[TestClass]
public sealed class PrecisionTests
{
    private static float[][] Features(LstmModel model, LstmPrecision precision, float[][][] sequences, LstmRepresentation representation = LstmRepresentation.LastMeanMax)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Precision = precision, Representation = representation }).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }

    private static double LargestDifference(float[][] a, float[][] b) =>
        a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));

    private static double MeanDifference(float[][] a, float[][] b) =>
        a.Zip(b).Average(p => p.First.Zip(p.Second).Average(v => Math.Abs(v.First - v.Second)));

    [TestMethod]
    // Measured 2026-11-25 (largest / mean absolute difference): F 1, H 64, 2 layers 0.051 / 0.0080;
    // F 8, H 128, 2 layers 0.069 / 0.0095; F 3, H 32, bidirectional 0.30 / 0.033; one-directional
    // 0.20 / 0.036. Quantizing the weights alone moves features by under 1e-3: the rest is ONNX
    // Runtime quantizing the input and hidden state to 8 bits at every step.
    [DataRow(1, 64, 2, false)]
    [DataRow(8, 128, 2, false)]
    [DataRow(3, 32, 1, true)]
    [DataRow(3, 32, 1, false)]
    public void Int8FeaturesDifferFromFp32ByUnderFiveHundredthsOnAverage(int inputSize, int hiddenSize, int layers, bool bidirectional)
    {
        var model = LstmModel.CreateRandom(inputSize, hiddenSize, layers, bidirectional: bidirectional, seed: 3);
        var sequences = TestData.Random(64, 30, inputSize, seed: 4);
        var fp32 = Features(model, LstmPrecision.Float32, sequences);
        var int8 = Features(model, LstmPrecision.Int8, sequences);

        double mean = MeanDifference(fp32, int8), largest = LargestDifference(fp32, int8);

        Console.WriteLine($"F {inputSize}, H {hiddenSize}, L {layers}, bidirectional {bidirectional}: largest difference {largest:E2}, mean {mean:E2}");
        Assert.IsTrue(mean is > 0 and < 0.05, $"mean difference {mean}: int8 ran, and stays close");
        Assert.IsLessThan(0.4, largest);
    }

    [TestMethod]
    public void Int8LeavesTheModelItsSavedOnnxAndItsExportInFp32()
    {
        var mlContext = new MLContext(seed: 1);
        var model = LstmModel.CreateRandom(1, 16, seed: 2);
        var rows = TestData.SineOrSquare(20, 30, seed: 1);
        var data = TestData.Sequences(mlContext, rows, 30);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 }).Fit(data);
        using var exported = new MemoryStream();
        mlContext.Model.ConvertToOnnx(transformer, data, exported);

        CollectionAssert.AreEqual(model.ToOnnxBytes(), transformer.Model.ToOnnxBytes());
        var graph = Onnx.Proto.ModelProto.Parser.ParseFrom(exported.ToArray()).Graph;
        Assert.AreEqual(1, graph.Node.Count(n => n.OpType == "LSTM" && n.Domain.Length == 0));
        Assert.AreEqual(0, graph.Node.Count(n => n.OpType == "DynamicQuantizeLSTM"));
    }

    [TestMethod]
    public void Int8OnTheGpuIsRefused()
    {
        var e = Assert.ThrowsExactly<NotSupportedException>(() => new MLContext().Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8),
            new LstmFeaturizerOptions { Precision = LstmPrecision.Int8, GpuDeviceId = 0 }));

        Assert.AreEqual("LstmPrecision.Int8 runs ONNX Runtime's CPU int8 LSTM; GpuDeviceId is 0. Use LstmPrecision.Float32 on the GPU, or GpuDeviceId = null.", e.Message);
    }
}
