using Microsoft.ML;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>The time-series engine: one LSTM step per point equals one run over the prefix; its state checkpoints and restores exactly.</summary>
[TestClass]
public sealed class TimeSeriesEngineTests
{
    private const double Tolerance = 1e-5;
    private const int Points = 80;

    /// <summary>A two-layer forecaster of two features with the graph's own scaling, as training leaves it.</summary>
    private static LstmModel Forecaster(int numLayers = 2, int seed = 3)
    {
        var weights = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 16, numLayers, outputSize: 2, seed: seed).GetWeights();
        weights.InputOffset = [0.5f, -1f];
        weights.InputScale = [2f, 0.25f];
        return LstmModel.FromWeights(weights);
    }

    private static float[][] Series(int points, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, points).Select(t => new[] { MathF.Sin(t * 0.3f) + (float)random.NextDouble() * 0.2f, 4f * MathF.Cos(t * 0.1f) })];
    }

    /// <summary>Every prefix of the series as a row of its own: what one ONNX run over the prefix gives for it.</summary>
    private static float[][] OverPrefixes(LstmModel model, float[][] series, LstmRepresentation representation)
    {
        var mlContext = new MLContext(seed: 1);
        var prefixes = mlContext.Data.LoadFromEnumerable(Enumerable.Range(1, series.Length)
            .Select(t => new SequenceRow { Sequence = [.. series.Take(t).SelectMany(p => p)] }));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation }).Fit(prefixes);
        return TestData.Features(transformer.Transform(prefixes));
    }

    private static (float[][] Hidden, float[][] Cell, float[][] Forecast, LstmTimeSeriesPrediction[] Predictions) Stream(LstmModel model, float[][] series)
    {
        using var engine = model.CreateTimeSeriesEngine();
        var hidden = new float[series.Length][];
        var cell = new float[series.Length][];
        var forecast = new float[series.Length][];
        var predictions = new LstmTimeSeriesPrediction[series.Length];
        for (int t = 0; t < series.Length; t++)
        {
            predictions[t] = engine.Predict(series[t]);
            hidden[t] = engine.HiddenState;
            cell[t] = engine.CellState[^16..];
            forecast[t] = engine.Forecast;
        }
        return (hidden, cell, forecast, predictions);
    }

    [TestMethod]
    public void StreamingHiddenStatesOfEveryLayerEqualOneRunOverThePrefix()
    {
        var model = Forecaster();
        var series = Series(Points, seed: 1);

        var streamed = Stream(model, series);

        Assertions.AreClose(OverPrefixes(model, series, LstmRepresentation.LastHiddenAllLayers), streamed.Hidden, Tolerance);
    }

    [TestMethod]
    public void StreamingTopCellStatesEqualOneRunOverThePrefix()
    {
        var model = Forecaster();
        var series = Series(Points, seed: 1);

        var streamed = Stream(model, series);

        Assertions.AreClose(OverPrefixes(model, series, LstmRepresentation.LastCell), streamed.Cell, Tolerance);
    }

    [TestMethod]
    public void StreamingForecastsEqualTheModelOutputOverThePrefix()
    {
        var model = Forecaster();
        var series = Series(Points, seed: 1);

        var streamed = Stream(model, series);

        Assertions.AreClose(OverPrefixes(model, series, LstmRepresentation.ModelOutput), streamed.Forecast, Tolerance);
    }

    [TestMethod]
    public void AStreamedErrorIsTheScaledPointsSquaredDistanceFromThePreviousPrefixForecast()
    {
        var model = Forecaster();
        var weights = model.GetWeights();
        var series = Series(Points, seed: 1);
        var forecasts = OverPrefixes(model, series, LstmRepresentation.ModelOutput);

        var streamed = Stream(model, series);

        Assert.IsTrue(float.IsNaN(streamed.Predictions[0].Error), "the first point has no forecast");
        for (int t = 1; t < Points; t++)
        {
            double expected = 0;
            for (int f = 0; f < 2; f++)
            {
                double scaled = (series[t][f] - weights.InputOffset![f]) * weights.InputScale![f];
                expected += (forecasts[t - 1][f] - scaled) * (forecasts[t - 1][f] - scaled) / 2;
            }
            Assert.AreEqual(expected, streamed.Predictions[t].Error, Tolerance * Math.Max(1, expected), $"point {t}");
        }
    }

    [TestMethod]
    public void EveryScoreIsFiniteAndWithinZeroAndOneFromTheFirstPoint()
    {
        var series = Series(400, seed: 2);
        series[300] = [40f, 40f];

        var streamed = Stream(Forecaster(), series);

        foreach (var p in streamed.Predictions)
        {
            Assert.IsTrue(p.Score is >= 0 and <= 1, $"score {p.Score}");
        }
        Assert.AreEqual(0f, streamed.Predictions[0].Score);
        Assert.AreEqual(streamed.Predictions.Max(p => p.Score), streamed.Predictions[300].Score, "a spike of 40 scores highest");
        Assert.IsTrue(streamed.Predictions[300].Score > 0.5f, $"a spike of 40 scored {streamed.Predictions[300].Score}");
    }
}
