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
    [DataRow(1, 64, 2, false)]
    [DataRow(8, 128, 2, false)]
    [DataRow(3, 32, 1, true)]
    [DataRow(3, 32, 1, false)]
    public void Int8FeaturesStayWithinTwoHundredthsOfFp32(int inputSize, int hiddenSize, int layers, bool bidirectional)
    {
        var model = LstmModel.CreateRandom(inputSize, hiddenSize, layers, bidirectional: bidirectional, seed: 3);
        var sequences = TestData.Random(64, 30, inputSize, seed: 4);

        double difference = LargestDifference(Features(model, LstmPrecision.Float32, sequences), Features(model, LstmPrecision.Int8, sequences));

        var dequantized = model.GetWeights();
        for (int l = 0; l < layers; l++)
        {
            for (int d = 0; d < (bidirectional ? 2 : 1); d++)
            {
                var cell = dequantized.GetCell(l, d);
                foreach (var (w, width) in new[] { (cell.WeightIh, cell.InputSize), (cell.WeightHh, hiddenSize) })
                {
                    for (int c = 0; c < 4 * hiddenSize; c++)
                    {
                        var row = w.AsSpan(c * width, width);
                        float scale = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row) / 127f;
                        for (int k = 0; k < width; k++) row[k] = MathF.Round(row[k] / scale) * scale;
                    }
                }
            }
        }
        double weightsOnly = LargestDifference(Features(model, LstmPrecision.Float32, sequences), Features(LstmModel.FromWeights(dequantized), LstmPrecision.Float32, sequences));
        Console.WriteLine($"F {inputSize}, H {hiddenSize}, L {layers}, bidirectional {bidirectional}: largest difference {difference:E2}, weights only {weightsOnly:E2}, mean {MeanDifference(Features(model, LstmPrecision.Float32, sequences), Features(model, LstmPrecision.Int8, sequences)):E2}");
        Assert.IsTrue(difference is > 0 and < 0.02, $"largest difference {difference}");
    }
}
