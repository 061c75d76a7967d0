using Microsoft.ML;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>CreateRandom builds exactly PyTorch's nn.LSTM, and models round-trip through ONNX.</summary>
[TestClass]
public sealed class LstmModelTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Architectures =>
        from layers in new[] { 1, 3 }
        from bidirectional in new[] { false, true }
        from representation in LstmRepresentations.WithReferences
        select new object[] { layers, bidirectional, representation };

    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void CreateRandomMatchesTheReferenceLstm(int layers, bool bidirectional, LstmRepresentation representation)
    {
        var model = LstmModel.CreateRandom(inputSize: 3, hiddenSize: 5, numLayers: layers, outputSize: 2, bidirectional: bidirectional, seed: 7);
        var sequences = TestData.Random(count: 9, steps: 6, features: 3, seed: 11);
        var reference = new ReferenceLstm(model.GetWeights());
        var expected = sequences.Select(s => reference.Run(s).Get(representation).Select(v => (float)v).ToArray()).ToArray();

        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);
        using var transformer = mlContext.Transforms
            .LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation, BatchSize = 4 })
            .Fit(data);

        Assertions.AreClose(expected, TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void NextStepErrorIsTheMeanSquaredErrorOfTheHeadsForecasts(int layers)
    {
        var model = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 5, numLayers: layers, outputSize: 2, seed: 12);
        var sequences = TestData.Random(count: 7, steps: 6, features: 2, seed: 13);
        var reference = new ReferenceLstm(model.GetWeights());
        var expected = sequences.Select(s => reference.Run(s).NextStepError.Select(v => (float)v).ToArray()).ToArray();
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, sequences);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(data);

        Assertions.AreClose(expected, TestData.Features(transformer.Transform(data)), 1e-5);
    }

    [TestMethod]
    public void NextStepErrorOfAModelWhoseHeadDoesNotForecastTheInputIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Transforms.LstmFeaturizeSequence(
            LstmModel.CreateRandom(2, 4, outputSize: 3), new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }));

        Assert.AreEqual("Representation NextStepError needs a one-directional model whose head (one Gemm) forecasts the next step's 2 features; this model is one-directional with a head of 3 outputs. Train it with LstmObjective.NextStep.", e.Message);
    }

    [TestMethod]
    public void CreateRandomDrawsWeightsWithinPyTorchsDefaultBounds()
    {
        var weights = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 16, numLayers: 2, outputSize: 3, bidirectional: true, seed: 3).GetWeights();

        float lstmBound = 1f / MathF.Sqrt(16);
        var lstmValues = Enumerable.Range(0, 2).SelectMany(l => Enumerable.Range(0, 2).Select(d => weights.GetCell(l, d)))
            .SelectMany(c => c.WeightIh.Concat(c.WeightHh).Concat(c.BiasIh).Concat(c.BiasHh)).ToArray();
        float headBound = 1f / MathF.Sqrt(32);
        var headValues = weights.HeadWeight!.Concat(weights.HeadBias!).ToArray();

        Assert.AreEqual(lstmBound, lstmValues.Max(Math.Abs), 0.01);
        Assert.IsTrue(lstmValues.All(v => Math.Abs(v) <= lstmBound), "LSTM weights within ±1/sqrt(H)");
        Assert.AreEqual(0, lstmValues.Average(), 0.01);
        Assert.IsTrue(headValues.All(v => Math.Abs(v) <= headBound), "head weights within ±1/sqrt(D·H)");
        Assert.AreEqual(headBound, headValues.Max(Math.Abs), 0.03);
    }

    [TestMethod]
    public void SameSeedGivesTheSameModelAndAnotherSeedAnother()
    {
        var a = LstmModel.CreateRandom(1, 8, seed: 5).ToOnnxBytes();
        var b = LstmModel.CreateRandom(1, 8, seed: 5).ToOnnxBytes();
        var c = LstmModel.CreateRandom(1, 8, seed: 6).ToOnnxBytes();

        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }

    [TestMethod]
    public void CreateRandomReportsItsArchitecture()
    {
        var model = LstmModel.CreateRandom(inputSize: 4, hiddenSize: 6, numLayers: 2, outputSize: 3, bidirectional: true);

        Assert.AreEqual(4, model.InputSize);
        Assert.AreEqual(6, model.HiddenSize);
        Assert.AreEqual(2, model.NumLayers);
        Assert.AreEqual(3, model.OutputSize);
        Assert.IsTrue(model.Bidirectional);
        Assert.IsNull(model.SequenceLength);
    }

    [TestMethod]
    public void SavedOnnxFileReadsBackToTheSameGraphAndWeights()
    {
        var model = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 4, numLayers: 2, outputSize: 1, seed: 9);
        string path = Path.Combine(Path.GetTempPath(), $"lstm-{Guid.NewGuid():N}.onnx");
        try
        {
            model.SaveOnnx(path);
            var loaded = LstmModel.FromOnnx(path);

            CollectionAssert.AreEqual(model.ToOnnxBytes(), loaded.ToOnnxBytes());
            CollectionAssert.AreEqual(model.GetWeights().GetCell(1, 0).WeightHh, loaded.GetWeights().GetCell(1, 0).WeightHh);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void FromWeightsRunsTheGivenWeights()
    {
        // One unit, input weight 0 and all biases 0 except the cell gate's: i = f = o = σ(0) = ½,
        // g = tanh(b_g). After one step c = ½·g, h = ½·tanh(c).
        var weights = new LstmWeights(inputSize: 1, hiddenSize: 1);
        weights.GetCell(0, 0).BiasIh[2] = 1f;
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, [[[0f]]]);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromWeights(weights)).Fit(data);

        double c = 0.5 * Math.Tanh(1);
        Assert.AreEqual(0.5 * Math.Tanh(c), TestData.Features(transformer.Transform(data))[0][0], 1e-6);
    }
}
