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
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 2, hiddenSize: 16, numLayers, outputSize: 2, seed: seed).GetWeights())
        {
            InputOffset = [0.5f, -1f],
            InputScale = [2f, 0.25f],
        };
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

    // Streams the first points of the series through the engine and checkpoints it there; the stream is at its start.
    private static MemoryStream CheckpointAfter(LstmTimeSeriesEngine engine, float[][] series, int points)
    {
        Predictions(engine, series, 0, points);
        var checkpoint = new MemoryStream();
        engine.CheckPoint(checkpoint);
        checkpoint.Position = 0;
        return checkpoint;
    }

    private static LstmTimeSeriesPrediction[] Predictions(LstmTimeSeriesEngine engine, float[][] series, int from, int to) =>
        [.. Enumerable.Range(from, to - from).Select(t => engine.Predict(series[t]))];

    [TestMethod]
    [DataRow(null)]
    [DataRow(LstmErrorTail.Normal)]
    [DataRow(LstmErrorTail.Empirical)]
    public void RestoringACheckpointResumesWithIdenticalScoresStatesAndForecasts(LstmErrorTail? tail)
    {
        var model = Forecaster();
        var series = Series(300, seed: 4);
        var options = new LstmTimeSeriesOptions { ErrorTail = tail };
        using var original = model.CreateTimeSeriesEngine(options);
        using var checkpoint = CheckpointAfter(original, series, 150);
        var expected = Predictions(original, series, 150, 300);

        using var restored = model.CreateTimeSeriesEngine(options);
        restored.Restore(checkpoint);

        Assert.AreEqual(150L, restored.Points);
        CollectionAssert.AreEqual(expected, Predictions(restored, series, 150, 300));
        CollectionAssert.AreEqual(original.HiddenState, restored.HiddenState);
        CollectionAssert.AreEqual(original.CellState, restored.CellState);
        CollectionAssert.AreEqual(original.Forecast, restored.Forecast);
    }

    [TestMethod]
    public void ACheckpointOfAnotherModelIsRefused()
    {
        using var other = Forecaster(seed: 4).CreateTimeSeriesEngine();
        other.Predict([1f, 2f]);
        using var checkpoint = new MemoryStream();
        other.CheckPoint(checkpoint);
        using var engine = Forecaster().CreateTimeSeriesEngine();
        checkpoint.Position = 0;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(checkpoint));

        Assert.AreEqual("time-series checkpoint: it was written by an engine of another model (the model's SHA-256 differs).", e.Message);
    }

    [TestMethod]
    public void ACheckpointOfOtherOptionsIsRefused()
    {
        var model = Forecaster();
        using var other = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { HistoryLength = 500 });
        using var checkpoint = new MemoryStream();
        other.CheckPoint(checkpoint);
        using var engine = model.CreateTimeSeriesEngine();
        checkpoint.Position = 0;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(checkpoint));

        Assert.AreEqual("time-series checkpoint: it was written with LstmTimeSeriesOptions.HistoryLength 500, this engine has 8640.", e.Message);
    }

    [TestMethod]
    public void ATruncatedCheckpointIsRefusedAndLeavesTheStateAsItWas()
    {
        var model = Forecaster();
        var series = Series(200, seed: 5);
        using var source = model.CreateTimeSeriesEngine();
        Predictions(source, series, 0, 120);
        using var full = new MemoryStream();
        source.CheckPoint(full);
        using var truncated = new MemoryStream(full.ToArray()[..(int)(full.Length - 9)]);
        using var engine = model.CreateTimeSeriesEngine();
        using var untouched = model.CreateTimeSeriesEngine();
        Predictions(engine, series, 0, 60);
        Predictions(untouched, series, 0, 60);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(truncated));

        Assert.AreEqual("time-series checkpoint: it ends early.", e.Message);
        CollectionAssert.AreEqual(Predictions(untouched, series, 60, 200), Predictions(engine, series, 60, 200));
    }

    [TestMethod]
    public void AStreamThatIsNotACheckpointIsRefused()
    {
        using var engine = Forecaster().CreateTimeSeriesEngine();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream("timestamp,value\n"u8.ToArray())));

        Assert.AreEqual("time-series checkpoint: it does not start like one (expected the bytes MLNLSTMS).", e.Message);
    }

    [TestMethod]
    public void APointOfTheWrongLengthIsRefusedNamingItsIndex()
    {
        using var engine = Forecaster().CreateTimeSeriesEngine();
        engine.Predict([1f, 2f]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([1f, 2f, 3f]));

        Assert.AreEqual("Point 1: expected 2 features, found 3. (Parameter 'point')", e.Message);
    }

    [TestMethod]
    public void ANonFinitePointIsRefusedAndTheStreamGoesOnAsIfItNeverCame()
    {
        var model = Forecaster();
        var series = Series(120, seed: 6);
        using var engine = model.CreateTimeSeriesEngine();
        using var clean = model.CreateTimeSeriesEngine();
        Predictions(engine, series, 0, 60);
        Predictions(clean, series, 0, 60);

        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict([0.5f, float.NaN]));

        Assert.AreEqual("Point 60, feature 1: expected a finite value, found NaN. The engine's state is unchanged; skip or repair the point. (Parameter 'point')", e.Message);
        CollectionAssert.AreEqual(Predictions(clean, series, 60, 120), Predictions(engine, series, 60, 120));
    }

    [TestMethod]
    public void APointTooLargeForTheModelsScalingIsRefusedAndTheStateIsKept()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 2).GetWeights()) { InputScale = [1e30f] };
        var model = LstmModel.FromWeights(weights);
        using var engine = model.CreateTimeSeriesEngine();
        engine.Predict(1e-30f);
        var hidden = engine.HiddenState;

        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(1e10f));

        Assert.AreEqual("Point 1: its values (1E+10) are too large for the model's scaling: the LSTM's state would stop being finite. The engine's state is unchanged. (Parameter 'point')", e.Message);
        CollectionAssert.AreEqual(hidden, engine.HiddenState);
        Assert.AreEqual(1L, engine.Points);
    }

    [TestMethod]
    public void APointWhoseForecastErrorOverflowsAFloatIsRefusedAndTheStateIsKept()
    {
        using var engine = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 2).CreateTimeSeriesEngine();
        engine.Predict(0.5f);
        var hidden = engine.HiddenState;

        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(1e20f));

        Assert.AreEqual("Point 1: its values (1E+20) are too large for the model's scaling: its forecast error (a float) would stop being finite. The engine's state is unchanged. (Parameter 'point')", e.Message);
        CollectionAssert.AreEqual(hidden, engine.HiddenState);
        Assert.AreEqual(1L, engine.Points);
        using var clean = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, seed: 2).CreateTimeSeriesEngine();
        clean.Predict(0.5f);
        Assert.AreEqual(clean.Predict(0.4f).Error, engine.Predict(0.4f).Error);
    }

    [TestMethod]
    public void TrainingPointsAndTheWarmUpScoreZeroAndTheRestDoNot()
    {
        var series = Series(400, seed: 7);
        using var engine = Forecaster().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, WarmUpPoints = 50 });

        var predictions = Predictions(engine, series, 0, 400);

        // Under the empirical tail the default window is 2: the first mean is point 101's, the 50th point 150's.
        Assert.IsTrue(predictions[..151].All(p => p.Score == 0), "points 0–150: trained on, then warming up");
        Assert.IsTrue(predictions[151..].All(p => p.Score > 0), "from point 151 every mean of two errors is scored");
    }

    [TestMethod]
    public void ResetStartsOverLikeANewEngine()
    {
        var model = Forecaster();
        var series = Series(200, seed: 8);
        using var engine = model.CreateTimeSeriesEngine();
        Predictions(engine, series, 0, 200);

        engine.Reset();

        using var fresh = model.CreateTimeSeriesEngine();
        CollectionAssert.AreEqual(Predictions(fresh, series, 0, 200), Predictions(engine, series, 0, 200));
    }

    [TestMethod]
    public void ABidirectionalModelCannotStream()
    {
        var model = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1, bidirectional: true);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.CreateTimeSeriesEngine());

        Assert.AreEqual("A time-series engine needs a one-directional model whose head forecasts the next point's 1 features; this model is bidirectional with a head of 1 outputs. Train it with LstmObjective.NextStep.", e.Message);
    }

    [TestMethod]
    public void AModelWithoutAForecastingHeadCannotStream()
    {
        var model = LstmModel.CreateRandom(inputSize: 2, hiddenSize: 8);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.CreateTimeSeriesEngine());

        Assert.AreEqual("A time-series engine needs a one-directional model whose head forecasts the next point's 2 features; this model is one-directional with a head of 0 outputs. Train it with LstmObjective.NextStep.", e.Message);
    }

    [TestMethod]
    public void AModelThatPoolsPointsCannotStream()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8, outputSize: 1).GetWeights()) { PoolingStride = 3 };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => LstmModel.FromWeights(weights).CreateTimeSeriesEngine());

        Assert.AreEqual("A time-series engine steps the LSTM once per point and forecasts from the last hidden state; this model averages 3 points per step and its head reads LastStep. Train it with LstmObjective.NextStep on windows of at most LstmTrainingOptions.MaxSteps points, or with MaxSteps = null.", e.Message);
    }

    [TestMethod]
    public void NextStepTrainingOnLongWindowsWithoutMaxStepsReadsEveryPointAndStreams()
    {
        var mlContext = new MLContext(seed: 1);
        var windows = mlContext.Data.CreateSlidingWindows(Enumerable.Range(0, 400).Select(t => MathF.Sin(t * 0.2f)), windowSize: 200, stride: 10);

        using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(
            new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 8, Epochs = 1, MaxSteps = null }).Fit(windows);

        Assert.AreEqual(1, forecaster.Model.GetWeights().PoolingStride, "200 steps, MaxSteps null: every point is a step");
        using var engine = forecaster.CreateTimeSeriesEngine();
        Assert.AreEqual(1L, (engine.Predict(0.5f), engine.Points).Item2);
    }

    [TestMethod]
    public void AnOptionOutOfRangeIsRefusedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Forecaster().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { HistoryLength = 1 }));

        Assert.AreEqual("LstmTimeSeriesOptions.HistoryLength: expected 2 to 10000000, found 1. (Parameter 'HistoryLength')", e.Message);
    }

    [TestMethod]
    public void AnErrorTailThatIsNeitherNormalNorEmpiricalIsRefusedNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Forecaster().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { ErrorTail = (LstmErrorTail)7 }));

        Assert.AreEqual("LstmTimeSeriesOptions.ErrorTail: expected null (chosen by the value range and novelty), Normal or Empirical, found 7. (Parameter 'ErrorTail')", e.Message);
    }

    [TestMethod]
    [DataRow(0.05, 100L, LstmErrorTail.Empirical)]
    [DataRow(null, 100L, LstmErrorTail.Normal)]
    [DataRow(0.05, 0L, LstmErrorTail.Normal)]
    public void ByDefaultErrorsAreJudgedByTheEmpiricalTailOnlyWithAValueRangeAndKeptStates(double? tolerance, long trainingPoints, LstmErrorTail chosen)
    {
        var model = Forecaster();
        var series = Series(300, seed: 9);
        LstmTimeSeriesPrediction[] Stream(LstmErrorTail? tail)
        {
            using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { ValueRangeTolerance = tolerance, TrainingPoints = trainingPoints, ErrorTail = tail });
            return Predictions(engine, series, 0, 300);
        }

        var byDefault = Stream(null);

        CollectionAssert.AreEqual(Stream(chosen), byDefault);
        var other = chosen == LstmErrorTail.Empirical ? LstmErrorTail.Normal : LstmErrorTail.Empirical;
        CollectionAssert.AreNotEqual(Stream(other).Select(p => p.Score).ToArray(), byDefault.Select(p => p.Score).ToArray());
    }

    [TestMethod]
    [DataRow(0.05, 100L, null, 2)]
    [DataRow(null, 100L, null, 1)]
    [DataRow(0.05, 0L, null, 1)]
    [DataRow(0.05, 100L, LstmErrorTail.Normal, 1)]
    [DataRow(null, 100L, LstmErrorTail.Empirical, 2)]
    public void ByDefaultScoresJudgeMeansOfTwoUnderTheEmpiricalTailAndSinglePointsUnderTheNormal(double? tolerance, long trainingPoints, LstmErrorTail? tail, int chosen)
    {
        var model = Forecaster();
        var series = Series(300, seed: 9);
        LstmTimeSeriesPrediction[] Stream(int? window)
        {
            using var engine = model.CreateTimeSeriesEngine(
                new LstmTimeSeriesOptions { ValueRangeTolerance = tolerance, TrainingPoints = trainingPoints, ErrorTail = tail, AveragingWindow = window });
            return Predictions(engine, series, 0, 300);
        }

        var byDefault = Stream(null);

        CollectionAssert.AreEqual(Stream(chosen), byDefault);
        CollectionAssert.AreNotEqual(Stream(3 - chosen).Select(p => p.Score).ToArray(), byDefault.Select(p => p.Score).ToArray());
    }

    [TestMethod]
    public void OptionsChangedAfterTheEngineIsMadeDoNotReachIt()
    {
        var model = Forecaster();
        var series = Series(200, seed: 1);
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100 };
        using var engine = model.CreateTimeSeriesEngine(options);
        using var untouched = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100 });
        options.AveragingWindow = 0;
        options.HistoryLength = 1;

        engine.Reset();

        CollectionAssert.AreEqual(Predictions(untouched, series, 0, 200), Predictions(engine, series, 0, 200));
    }

    [TestMethod]
    public void ARestoredEngineWithoutAWindowTakesTheCheckpointsWindowUntilReset()
    {
        var model = Forecaster();
        var series = Series(300, seed: 2);
        // Training points make the default window 2 (the empirical tail's); the writer's is 1, as every engine's was before.
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100 };
        var windowOfOne = new LstmTimeSeriesOptions { TrainingPoints = 100, AveragingWindow = 1 };
        using var writer = model.CreateTimeSeriesEngine(windowOfOne);
        using var checkpoint = CheckpointAfter(writer, series, 150);
        var expected = Predictions(writer, series, 150, 300);
        using var engine = model.CreateTimeSeriesEngine(options);

        engine.Restore(checkpoint);
        using var again = new MemoryStream();
        engine.CheckPoint(again);
        var restored = Predictions(engine, series, 150, 300);
        engine.Reset();
        var afterReset = Predictions(engine, series, 0, 300);

        using var fresh = model.CreateTimeSeriesEngine(options);
        using var windowOfOneAgain = model.CreateTimeSeriesEngine(windowOfOne);
        again.Position = 0;
        windowOfOneAgain.Restore(again);
        CollectionAssert.AreEqual(expected, restored);
        CollectionAssert.AreEqual(expected, Predictions(windowOfOneAgain, series, 150, 300));
        CollectionAssert.AreEqual(Predictions(fresh, series, 0, 300), afterReset);
    }

    [TestMethod]
    public void AnEngineWhoseWindowIsSetRefusesACheckpointOfAnotherWindowAndKeepsItsState()
    {
        var model = Forecaster();
        var series = Series(200, seed: 2);
        using var writer = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100 });
        using var checkpoint = CheckpointAfter(writer, series, 150);
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, AveragingWindow = 1 });
        Predictions(engine, series, 0, 20);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(checkpoint));

        Assert.AreEqual("time-series checkpoint: it was written with LstmTimeSeriesOptions.AveragingWindow 2, this engine has 1.", e.Message);
        Assert.AreEqual(20L, engine.Points);
    }

    [TestMethod]
    public void ARestoredEngineScoresByTheErrorTailOfTheEngineThatWroteTheCheckpointUntilReset()
    {
        var model = Forecaster();
        var series = Series(300, seed: 2);
        // Training points make the default tail the empirical one; the writer's is the normal one.
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100 };
        using var writer = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, ErrorTail = LstmErrorTail.Normal });
        using var checkpoint = CheckpointAfter(writer, series, 150);
        var expected = Predictions(writer, series, 150, 300);
        using var engine = model.CreateTimeSeriesEngine(options);

        engine.Restore(checkpoint);
        var restored = Predictions(engine, series, 150, 300);
        engine.Reset();
        var afterReset = Predictions(engine, series, 0, 300);

        using var fresh = model.CreateTimeSeriesEngine(options);
        CollectionAssert.AreEqual(expected, restored);
        CollectionAssert.AreEqual(Predictions(fresh, series, 0, 300), afterReset);
    }

    [TestMethod]
    public void ADisposedEngineThrowsObjectDisposed()
    {
        var engine = Forecaster().CreateTimeSeriesEngine();
        engine.Dispose();
        engine.Dispose();

        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => engine.Predict([1f, 2f]));

        Assert.AreEqual("This LstmTimeSeriesEngine has been disposed: create a new one from the model (and Restore a checkpoint to resume).\nObject name: 'LstmTimeSeriesEngine'.", e.Message.Replace("\r", ""));
    }

    [TestMethod]
    public void ManyThreadsPredictingWhileOneDisposesNeverCrash()
    {
        var series = Series(2000, seed: 9);
        var engine = Forecaster().CreateTimeSeriesEngine();
        long predicted = 0, refused = 0;
        var threads = Enumerable.Range(0, 8).Select(k => new Thread(() =>
        {
            for (int t = 0; t < 2000; t++)
            {
                try
                {
                    engine.Predict(series[t]);
                    Interlocked.Increment(ref predicted);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                }
                if (k == 0 && t == 500)
                {
                    engine.Dispose();
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.AreEqual(16000L, predicted + refused);
        Assert.IsTrue(predicted >= 501 && refused >= 1499, $"{predicted} predicted, {refused} refused");
    }
}
