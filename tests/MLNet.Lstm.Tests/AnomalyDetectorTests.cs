using Microsoft.ML;

namespace MLNet.Lstm.Tests;

/// <summary>
/// mlContext.AnomalyDetection.CreateLstmDetector: a next-step forecaster fitted on a series'
/// history, handed back as a time-series engine that has read the history; univariate and
/// multivariate; refusals naming the option, point and feature.
/// </summary>
[TestClass]
public sealed class AnomalyDetectorTests
{
    private static readonly LstmAnomalyDetectorOptions Small = new() { HiddenSize = 8, Epochs = 3, WindowSize = 24, Seed = 1 };

    private static float[] Sine(int points, int features = 1, int offset = 0) =>
        [.. Enumerable.Range(offset, points).SelectMany(t => Enumerable.Range(0, features).Select(f => MathF.Sin(0.3f * t + f)))];

    [TestMethod]
    public void TheDetectorScoresAsTheForecasterAndEngineItIsMadeOf()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Sine(200);
        var later = Sine(60, offset: 200);
        using var detector = mlContext.AnomalyDetection.CreateLstmDetector(history, Small);
        using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 8, Epochs = 3, Seed = 1 })
            .Fit(mlContext.Data.CreateSlidingWindows(history, windowSize: 24));
        using var engine = forecaster.Model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = history.Length });
        foreach (float point in history)
        {
            engine.Predict(point);
        }

        CollectionAssert.AreEqual(later.Select(p => engine.Predict(p)).ToArray(), later.Select(p => detector.Predict(p)).ToArray());
        Assert.AreEqual(260L, detector.Points);
    }

    [TestMethod]
    public void TheSameHistoryAndOptionsGiveTheSameScores()
    {
        var history = Sine(120);
        using var first = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(history, Small);
        using var second = new MLContext(seed: 7).AnomalyDetection.CreateLstmDetector(history, Small);

        var later = Sine(40, offset: 120);

        CollectionAssert.AreEqual(later.Select(p => first.Predict(p)).ToArray(), later.Select(p => second.Predict(p)).ToArray());
    }

    [TestMethod]
    public void AMultivariateDetectorScoresASpikeInOneFeatureFarAboveTheNormalPoints()
    {
        var history = Sine(300, features: 3);
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(history, new LstmAnomalyDetectorOptions { InputSize = 3, HiddenSize = 8, Epochs = 5, Seed = 1 });
        var later = Sine(100, features: 3, offset: 300);
        later[60 * 3 + 1] += 8f;

        var scores = Enumerable.Range(0, 100).Select(t => detector.Predict(later.AsSpan(t * 3, 3)).Score).ToArray();

        // Measured: the spike scores 1 (beyond the feature's range), no earlier point above 0.24.
        Assert.AreEqual(3, detector.InputSize);
        Assert.AreEqual(1f, scores[60], 1e-6f);
        Assert.IsLessThan(0.3f, scores[..60].Max());
    }

    [TestMethod]
    [DataRow(LstmErrorTail.Empirical, 32)]
    [DataRow(LstmErrorTail.Normal, 0)]
    public void OnNoiseTheEmpiricalTailAlertsAboutOnceAHistoryAtTheDefaultThresholdAndTheNormalOneNever(LstmErrorTail tail, int alerts)
    {
        var random = new Random(5);
        var noise = Enumerable.Range(0, 20_500).Select(t => MathF.Sin(0.3f * t) + (float)random.NextDouble()).ToArray();
        var options = new LstmAnomalyDetectorOptions { HiddenSize = 8, Epochs = 2, Seed = 1, Scoring = new LstmTimeSeriesOptions { HistoryLength = 500, ErrorTail = tail } };
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(noise.AsSpan(0, 500), options);

        var scores = noise[500..].Select(v => detector.Predict(v).Score).ToArray();

        // The error history fills over the first 500 points after the detector's own; from then on a record
        // of the full history (a mean of two errors' square roots under the empirical tail) scores 0.5 and half its
        // state's novelty likelihood, however ordinary: were the means independent, one point in 501, 38.9 of the
        // 19,500; overlapping means of two made 32 (one error a score made 39).
        int counted = scores[500..].Count(s => s >= 0.5f);

        Assert.AreEqual(alerts, counted);
    }

    [TestMethod]
    public void AHistoryShorterThanTheWindowTrainsOnShorterWindows()
    {
        using var detector = new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(10), Small);

        var next = detector.Predict(Sine(1, offset: 10));

        Assert.AreEqual(11L, detector.Points);
        Assert.AreEqual(0f, next.Score);
        Assert.IsTrue(float.IsFinite(next.Error) && next.Error >= 0, next.ToString());
    }

    [TestMethod]
    public void AHistoryOfPartialPointsIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(new float[10], new LstmAnomalyDetectorOptions { InputSize = 3 }));

        Assert.AreEqual("Anomaly detector history: expected whole points of InputSize 3 values each, found 10 values (1 left over). (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void AHistoryTooShortForFourTrainingWindowsIsRefused()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector([1f, 2f, 3f, 4f]));

        Assert.AreEqual("Anomaly detector history: expected at least 5 points, enough for 4 training windows of 2, found 4. (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void ANonFiniteHistoryValueIsRefusedNamingItsPointAndFeature()
    {
        var history = Sine(50, features: 2);
        history[2 * 17 + 1] = float.NaN;

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(history, new LstmAnomalyDetectorOptions { InputSize = 2 }));

        Assert.AreEqual("Anomaly detector history, point 17, feature 1: expected a finite value, found NaN. Skip or repair the point before fitting. (Parameter 'history')", e.Message);
    }

    [TestMethod]
    [DataRow("InputSize", "at least 1 feature a point", "0")]
    [DataRow("WindowSize", "at least 2 points, one to forecast from and one to learn", "1")]
    [DataRow("Epochs", "at least 1 pass", "0")]
    [DataRow("Scoring.TrainingPoints", "0: the detector counts the history's points as training points itself", "100")]
    public void AnOptionOutOfRangeIsRefusedNamingIt(string option, string expected, string found)
    {
        var options = option switch
        {
            "InputSize" => new LstmAnomalyDetectorOptions { InputSize = 0 },
            "WindowSize" => new LstmAnomalyDetectorOptions { WindowSize = 1 },
            "Epochs" => new LstmAnomalyDetectorOptions { Epochs = 0 },
            _ => new LstmAnomalyDetectorOptions { Scoring = new LstmTimeSeriesOptions { TrainingPoints = 100 } },
        };

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).AnomalyDetection.CreateLstmDetector(Sine(50), options));

        Assert.AreEqual($"LstmAnomalyDetectorOptions.{option}: expected {expected}, found {found}. (Parameter '{option}')", e.Message);
    }
}
