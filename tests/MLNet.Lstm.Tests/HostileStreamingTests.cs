using Microsoft.ML;
using MLNet.Lstm.Evaluation;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The time-series engine and the NAB reader and scorer under hostile use: damaged checkpoints,
/// odd streams, extreme options and values, lifetimes, threads, and malformed corpora.
/// </summary>
[TestClass]
public sealed class HostileStreamingTests
{
    private static readonly DateTime Start = new(2024, 1, 1);

    private static LstmModel Tiny(int seed = 5) => LstmModel.CreateRandom(inputSize: 1, hiddenSize: 2, numLayers: 1, outputSize: 1, seed: seed);

    private static readonly LstmTimeSeriesOptions SmallHistory = new() { HistoryLength = 4, WarmUpPoints = 2 };

    private static float Wave(int t) => MathF.Sin(t * 0.4f);

    private static (float[] Hidden, float[] Cell, float[] Forecast, long Points) State(LstmTimeSeriesEngine engine) =>
        (engine.HiddenState, engine.CellState, engine.Forecast, engine.Points);

    private static void AssertSameState((float[] Hidden, float[] Cell, float[] Forecast, long Points) expected, LstmTimeSeriesEngine engine, string because)
    {
        CollectionAssert.AreEqual(expected.Hidden, engine.HiddenState, because);
        CollectionAssert.AreEqual(expected.Cell, engine.CellState, because);
        CollectionAssert.AreEqual(expected.Forecast, engine.Forecast, because);
        Assert.AreEqual(expected.Points, engine.Points, because);
    }

    private static byte[] Checkpoint(LstmTimeSeriesEngine engine)
    {
        using var stream = new MemoryStream();
        engine.CheckPoint(stream);
        return stream.ToArray();
    }

    // ---- Checkpoints ----

    [TestMethod]
    public void EveryFlippedByteOfACheckpointIsRefusedWithInvalidDataAndLeavesTheStateAsItWas()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        for (int t = 0; t < 10; t++)
            source.Predict(Wave(t));
        byte[] checkpoint = Checkpoint(source);
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);
        for (int t = 0; t < 3; t++)
            engine.Predict(Wave(t + 50));
        var before = State(engine);

        var accepted = new List<int>();
        for (int i = 0; i < checkpoint.Length; i++)
        {
            byte[] damaged = [.. checkpoint];
            damaged[i] ^= 0x5A;
            try
            {
                engine.Restore(new MemoryStream(damaged));
                accepted.Add(i);
                engine.Restore(new MemoryStream(checkpoint));
                for (int t = 0; t < 3; t++)
                    engine.Predict(Wave(t + 50));
                engine.Reset();
                for (int t = 0; t < 3; t++)
                    engine.Predict(Wave(t + 50));
            }
            catch (InvalidDataException)
            {
                AssertSameState(before, engine, $"byte {i} flipped");
            }
        }

        Assert.AreEqual("", string.Join(", ", accepted), $"bytes whose damage was accepted, of {checkpoint.Length}");
    }

    [TestMethod]
    public void AFlippedBitInTheHiddenStateIsRefusedAsDamagedByItsChecksum()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        source.Predict(0.5f);
        byte[] checkpoint = Checkpoint(source);
        // Magic 8, version 4, model hash 32, F L H 12, points 8: the hidden state starts at byte 64.
        checkpoint[64] ^= 1;
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(checkpoint)));

        Assert.AreEqual("time-series checkpoint: its SHA-256 checksum does not match its contents: it was damaged.", e.Message);
        Assert.AreEqual(0L, engine.Points);
    }

    [TestMethod]
    public void ACheckpointOfTheFormerFormatWithoutAChecksumIsRefusedNamingItsVersion()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        byte[] checkpoint = Checkpoint(source);
        BitConverter.TryWriteBytes(checkpoint.AsSpan(8), 1);
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(checkpoint[..^32])));

        Assert.AreEqual("time-series checkpoint: expected format version 2 to 5, found 1.", e.Message);
    }

    [TestMethod]
    public void AnEngineDrivenIntoSaturationRestoresItsOwnCheckpoint()
    {
        var model = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 64, numLayers: 3, outputSize: 1, seed: 11);
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        // A constant 1e15 drives every gate to 0 or 1, so cells grow by up to 1 a point and tanh saturates
        // (its squared forecast error, about 1e30, still fits a float; 1e20 and up is refused).
        for (int t = 0; t < 300; t++)
            source.Predict(1e15f);
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        engine.Restore(new MemoryStream(Checkpoint(source)));

        Assert.IsTrue(source.HiddenState.Max(MathF.Abs) <= 1f, $"max |h| {source.HiddenState.Max(MathF.Abs)}");
        Assert.IsTrue(source.HiddenState.Max(MathF.Abs) > 0.9999f, $"saturated: max |h| {source.HiddenState.Max(MathF.Abs)}");
        AssertSameState(State(source), engine, "restored");
    }

    /// <summary>Recomputes a checkpoint's closing SHA-256, as a hostile writer could.</summary>
    private static byte[] Resigned(byte[] checkpoint)
    {
        System.Security.Cryptography.SHA256.HashData(checkpoint.AsSpan(0, checkpoint.Length - 32), checkpoint.AsSpan(checkpoint.Length - 32));
        return checkpoint;
    }

    [TestMethod]
    public void ACraftedCheckpointWithAHiddenStateOutsideMinusOneToOneIsRefused()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        source.Predict(0.5f);
        byte[] checkpoint = Checkpoint(source);
        BitConverter.TryWriteBytes(checkpoint.AsSpan(64), 2f);
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: expected a hidden state from -1 to 1, found 2 at index 0.", e.Message);
    }

    [TestMethod]
    public void ACraftedCheckpointWithAnErrorNoTwoFloatsCanMakeIsRefused()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        for (int t = 0; t < 10; t++)
            source.Predict(Wave(t));
        byte[] checkpoint = Checkpoint(source);
        // The likelihood starts at byte 84; its 4 remembered errors at 153, after its tail's byte. Four of 1e308 sum to ∞.
        for (int i = 0; i < 4; i++)
            BitConverter.TryWriteBytes(checkpoint.AsSpan(153 + 8 * i), 1e308);
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: expected a squared error from 0 to 4.63E+77, found 1E+308.", e.Message);
    }

    /// <summary>A stream that gives at most one byte per read and cannot seek, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (count == 0 || _position == bytes.Length)
                return 0;
            buffer[offset] = bytes[_position++];
            return 1;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [TestMethod]
    public void ACheckpointReadOneByteAtATimeFromAStreamThatCannotSeekRestoresExactly()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        for (int t = 0; t < 10; t++)
            source.Predict(Wave(t));
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        engine.Restore(new TrickleStream(Checkpoint(source)));

        AssertSameState(State(source), engine, "restored through one-byte reads");
        Assert.AreEqual(source.Predict(Wave(10)), engine.Predict(Wave(10)));
    }

    [TestMethod]
    public void TwoCheckpointsBackToBackInOneStreamRestoreInTurnWithoutReadingPastEither()
    {
        var model = Tiny();
        using var source = model.CreateTimeSeriesEngine(SmallHistory);
        using var stream = new MemoryStream();
        source.Predict(0.25f);
        source.CheckPoint(stream);
        var first = State(source);
        source.Predict(0.75f);
        source.CheckPoint(stream);
        stream.WriteByte(42);
        stream.Position = 0;
        using var engine = model.CreateTimeSeriesEngine(SmallHistory);

        engine.Restore(stream);
        AssertSameState(first, engine, "the first checkpoint");
        engine.Restore(stream);

        AssertSameState(State(source), engine, "the second checkpoint");
        Assert.AreEqual(42, stream.ReadByte(), "the byte after the second checkpoint is left unread");
    }

    [TestMethod]
    public void RestoreAndCheckPointAfterDisposeThrowObjectDisposed()
    {
        var model = Tiny();
        byte[] checkpoint;
        using (var source = model.CreateTimeSeriesEngine())
            checkpoint = Checkpoint(source);
        var engine = model.CreateTimeSeriesEngine();
        engine.Dispose();

        var restore = Assert.ThrowsExactly<ObjectDisposedException>(() => engine.Restore(new MemoryStream(checkpoint)));
        var save = Assert.ThrowsExactly<ObjectDisposedException>(() => engine.CheckPoint(new MemoryStream()));

        Assert.AreEqual("LstmTimeSeriesEngine", restore.ObjectName);
        Assert.AreEqual("LstmTimeSeriesEngine", save.ObjectName);
    }

    [TestMethod]
    public void ThreadsCheckpointingPredictingAndRestoringWhileOneDisposesNeverCrashOrTearAState()
    {
        var model = Tiny();
        var engine = model.CreateTimeSeriesEngine(SmallHistory);
        long done = 0, refused = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 6).Select(k => new Thread(() =>
        {
            for (int t = 0; t < 300; t++)
            {
                try
                {
                    if (k % 3 == 0)
                    {
                        engine.Predict(Wave(t));
                    }
                    else
                    {
                        // Each checkpoint is whole: restoring it into a fresh engine must succeed.
                        byte[] bytes = Checkpoint(engine);
                        using var copy = model.CreateTimeSeriesEngine(SmallHistory);
                        copy.Restore(new MemoryStream(bytes));
                        if (k % 3 == 2)
                            engine.Restore(new MemoryStream(bytes));
                    }
                    Interlocked.Increment(ref done);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception e)
                {
                    failures.Add(e.GetType().Name + ": " + e.Message);
                }
                if (k == 0 && t == 150)
                    engine.Dispose();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.AreEqual("", string.Join("\n", failures.Distinct()));
        Assert.AreEqual(1800L, done + refused);
        Assert.IsTrue(done >= 151 && refused >= 149, $"{done} done, {refused} refused");
    }

    [TestMethod]
    public void AnEngineLeftUndisposedIsCollectedWithoutCrashing()
    {
        var model = Tiny();
        var weak = Abandon(model);

        for (int i = 0; i < 3 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.IsFalse(weak.IsAlive, "an abandoned engine is collectable");
        using var engine = model.CreateTimeSeriesEngine();
        Assert.AreEqual(0f, engine.Predict(0.5f).Score);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference Abandon(LstmModel model)
    {
        var engine = model.CreateTimeSeriesEngine();
        engine.Predict(0.5f);
        return new WeakReference(engine);
    }

    // ---- Models ----

    [TestMethod]
    public void APyTorchExportedForecasterStreamsTheFeaturizersModelOutputOverEveryPrefix()
    {
        var fixture = PyTorchFixture.Load("seed_lstm");
        var model = LstmModel.FromOnnx(fixture.OnnxPath);
        float[][] series = [.. fixture.Input.SelectMany(sequence => sequence)];
        var mlContext = new MLContext(seed: 1);
        var prefixes = mlContext.Data.LoadFromEnumerable(Enumerable.Range(1, series.Length)
            .Select(t => new SequenceRow { Sequence = [.. series.Take(t).SelectMany(p => p)] }));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(prefixes);
        var expected = TestData.Features(transformer.Transform(prefixes));

        using var engine = model.CreateTimeSeriesEngine();
        var streamed = series.Select(point => (engine.Predict(point), engine.Forecast).Forecast).ToArray();

        Assertions.AreClose(expected, streamed, 1e-5);
    }

    [TestMethod]
    public void AModelWhoseHeadReadsLastMeanMaxCannotStreamAndIsToldWhy()
    {
        var weights = new LstmWeights(inputSize: 1, hiddenSize: 4, outputSize: 1) { HeadInput = LstmHeadInput.LastMeanMax };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => LstmModel.FromWeights(weights).CreateTimeSeriesEngine());

        Assert.AreEqual("A time-series engine forecasts from the last hidden state; this model's head reads LastMeanMax, which depends on every point so far. Train it with LstmObjective.NextStep, whose head reads LastStep.", e.Message);
    }

    // ---- Options and values ----

    [TestMethod]
    public void AHistoryLengthOfZeroIsRefusedNamingHistoryLength()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { HistoryLength = 0 }));

        Assert.AreEqual("LstmTimeSeriesOptions.HistoryLength: expected 2 to 10000000, found 0. (Parameter 'HistoryLength')", e.Message);
    }

    [TestMethod]
    public void TrainingPointsOfLongMaxValueScoreEveryPointZero()
    {
        using var engine = Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = long.MaxValue, WarmUpPoints = 1 });

        var scores = Enumerable.Range(0, 200).Select(t => engine.Predict(t == 150 ? 1000f : Wave(t)).Score).ToArray();

        Assert.IsTrue(scores.All(s => s == 0), "every point is a training point");
        Assert.AreEqual(200L, engine.Points);
    }

    [TestMethod]
    public void WarmUpAsLongAsTheHistoryScoresZeroUntilTheHistoryIsFull()
    {
        // The normal tail scores every judged error above 0; the empirical one gives the smallest error of a history 0.
        using var engine = Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { HistoryLength = 20, WarmUpPoints = 20, ErrorTail = LstmErrorTail.Normal });

        var scores = Enumerable.Range(0, 60).Select(t => engine.Predict(Wave(t)).Score).ToArray();

        Assert.IsTrue(scores[..21].All(s => s == 0), "point 0 has no error, then 20 errors fill the history");
        Assert.IsTrue(scores[21..].All(s => s > 0 && s <= 1), string.Join(", ", scores[21..]));
    }

    [TestMethod]
    public void TheLargestHistoryAveragedWholeScoresZeroWhileWarmingUpAndSurvivesACheckpoint()
    {
        var options = new LstmTimeSeriesOptions { HistoryLength = 10_000_000, AveragingWindow = 10_000_000, WarmUpPoints = 10_000_000 };
        var model = Tiny();
        using var engine = model.CreateTimeSeriesEngine(options);
        for (int t = 0; t < 20; t++)
            Assert.AreEqual(0f, engine.Predict(Wave(t)).Score);
        using var restored = model.CreateTimeSeriesEngine(options);

        restored.Restore(new MemoryStream(Checkpoint(engine)));

        Assert.AreEqual(engine.Predict(Wave(20)), restored.Predict(Wave(20)));
    }

    [TestMethod]
    public void DenormalValuesGiveFiniteErrorsAndScoresInZeroToOne()
    {
        using var engine = Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { WarmUpPoints = 2 });
        float[] values = [float.Epsilon, -float.Epsilon, 1e-40f, 0f, -0f, 1e-45f, -1e-39f, 1e-38f];

        var predictions = values.Select(v => engine.Predict(v)).ToArray();

        Assert.IsTrue(predictions.Skip(1).All(p => float.IsFinite(p.Error) && p.Error >= 0), string.Join(", ", predictions));
        Assert.IsTrue(predictions.All(p => p.Score is >= 0 and <= 1), string.Join(", ", predictions));
    }

    [TestMethod]
    public void APointWhoseErrorIsBeyondFloatsRangeIsRefusedAndTheNextScoresAsIfItNeverCame()
    {
        using var engine = Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { WarmUpPoints = 5 });
        using var clean = Tiny().CreateTimeSeriesEngine(new LstmTimeSeriesOptions { WarmUpPoints = 5 });
        for (int t = 0; t < 10; t++)
        {
            engine.Predict(Wave(t));
            clean.Predict(Wave(t));
        }

        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Predict(float.MaxValue));

        Assert.AreEqual("Point 10: its values (3.4028235E+38) are too large for the model's scaling: its forecast error (a float) would stop being finite. The engine's state is unchanged. (Parameter 'point')", e.Message);
        Assert.AreEqual(clean.Predict(0.5f), engine.Predict(0.5f));
    }

    [TestMethod]
    public void UnderTheNormalTailAHugeOutlierInTheHistoryHidesALaterSpikeAsTheDocsSay()
    {
        var (blindedSpike, cleanSpike) = SpikeScoresWithAndWithoutAnEarlierOutlier(new LstmTimeSeriesOptions { WarmUpPoints = 20, ErrorTail = LstmErrorTail.Normal });

        // README and LstmTimeSeriesOptions.HistoryLength: the error history's normal is not robust.
        Assert.AreEqual(1f, cleanSpike, 1e-6f);
        Assert.IsLessThan(0.01f, blindedSpike);
    }

    [TestMethod]
    public void UnderTheEmpiricalTailAHugeOutlierInTheHistoryCostsALaterSpikeOneRank()
    {
        // No value range, so the spike is scored by its error alone, with the outlier's and without; one error a
        // score, so that the outlier is one value of the history (a window of 2 would put it in two means).
        var (blindedSpike, cleanSpike) = SpikeScoresWithAndWithoutAnEarlierOutlier(
            new LstmTimeSeriesOptions { WarmUpPoints = 20, ValueRangeTolerance = null, ErrorTail = LstmErrorTail.Empirical, AveragingWindow = 1 });

        // The errors of points 1 to 249 judge the spike: it is the largest of them without the outlier, the second with it.
        Assert.AreEqual((float)(Math.Log10(250.0 / 1) / Math.Log10(8641)), cleanSpike, 1e-6f);
        Assert.AreEqual((float)(Math.Log10(250.0 / 2) / Math.Log10(8641)), blindedSpike, 1e-6f);
    }

    // The score of a spike of 50 at point 250 of a wave, after a 1e4 outlier at point 100 and without it.
    private static (float Blinded, float Clean) SpikeScoresWithAndWithoutAnEarlierOutlier(LstmTimeSeriesOptions options)
    {
        using var blinded = Tiny().CreateTimeSeriesEngine(options);
        using var clean = Tiny().CreateTimeSeriesEngine(options);
        float blindedSpike = 0, cleanSpike = 0;
        for (int t = 0; t < 300; t++)
        {
            float point = t == 250 ? 50f : Wave(t);
            var withOutlier = blinded.Predict(t == 100 ? 1e4f : point);
            var without = clean.Predict(point);
            (blindedSpike, cleanSpike) = t == 250 ? (withOutlier.Score, without.Score) : (blindedSpike, cleanSpike);
        }
        return (blindedSpike, cleanSpike);
    }

    [TestMethod]
    public void ScoresAfterAHugeErrorLeavesTheHistoryAreTheScoresOfTheHistoryWithoutIt()
    {
        const int history = 100;
        var likelihood = new MLNet.Lstm.Streaming.AnomalyLikelihood(averagingWindow: 1, history, warmUp: 10, trainingPoints: 0, empiricalTail: false);
        double[] errors = [.. Enumerable.Range(0, 200).Select(t => t == 20 ? 1e20 : 0.01 * (1 + 0.5 * Math.Sin(t)))];

        var scores = errors.Select(likelihood.Update).ToArray();

        // From error 121 the history (errors t−100 … t−1) no longer holds error 20's 1e20.
        for (int t = 121; t < errors.Length; t++)
        {
            var window = errors[(t - history)..t];
            double center = window.Average();
            double deviation = Math.Max(Math.Sqrt(window.Sum(e => (e - center) * (e - center)) / history), 1e-3);
            double expected = Math.Clamp(-MLNet.Lstm.Streaming.NormalTail.Log10((errors[t] - center) / deviation) / 100, 0, 1);
            Assert.AreEqual(expected, scores[t], 1e-5, $"error {t}");
        }
    }

    // ---- NAB scoring ----

    private static DateTime[] Times(int rows) => [.. Enumerable.Range(0, rows).Select(i => Start.AddMinutes(i))];

    private static string TempCorpus(string csv, string windows)
    {
        string root = Path.Combine(Path.GetTempPath(), "nab-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "data", "cat"));
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        File.WriteAllText(Path.Combine(root, "data", "cat", "a.csv"), csv);
        File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"), windows);
        return root;
    }

    [TestMethod]
    public void AnEmptyCorpusIsRefusedByOptimize()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.Optimize([], [], NabProfile.Standard));

        Assert.AreEqual("NAB scoring: the corpus (0 series) has no labelled anomaly window; expected at least one, since the normalised score is measured " +
            "between the null detector (every window missed) and the perfect one (every window found), which are then equal. (Parameter 'corpus')", e.Message);
    }

    [TestMethod]
    public void ASeriesWithoutRowsScoresZero()
    {
        var series = new NabSeries("cat/empty.csv", [], [], []);

        var result = NabScorer.ScoreSeries(series, [], 0.5, NabProfile.Standard);

        Assert.AreEqual((0.0, 0, 0, 0, 0, 0), (result.Score, result.TruePositives, result.TrueNegatives, result.FalsePositives, result.FalseNegatives, result.RowCount));
    }

    [TestMethod]
    public void AOneRowSeriesWhoseWindowIsThatRowEarnsTheTruePositiveWeightWhenDetected()
    {
        var series = new NabSeries("cat/one.csv", Times(1), [3.0], [new NabWindow(Start, Start)]);

        var detected = NabScorer.ScoreSeries(series, [1.0], 1.0, NabProfile.Standard);
        var missed = NabScorer.ScoreSeries(series, [0.0], 1.0, NabProfile.Standard);

        Assert.AreEqual(0, series.ProbationaryLength);
        Assert.AreEqual(1.0, detected.Score, 1e-12);
        Assert.AreEqual(-1.0, missed.Score);
    }

    [TestMethod]
    public void AScoreExactlyOnTheThresholdIsADetection()
    {
        var series = new NabSeries("cat/s.csv", Times(100), new double[100], [new NabWindow(Start.AddMinutes(99), Start.AddMinutes(99))]);
        var scores = new double[100];
        scores[99] = 0.37;

        var result = NabScorer.ScoreSeries(series, scores, 0.37, NabProfile.Standard);

        Assert.AreEqual(1, result.TruePositives);
        Assert.AreEqual(1.0, result.Score, 1e-12, "a detection on the first row of a window ending the series");
    }

    [TestMethod]
    public void ANaNThresholdIsRefused()
    {
        var series = new NabSeries("cat/s.csv", Times(3), new double[3], []);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NabScorer.ScoreSeries(series, new double[3], double.NaN, NabProfile.Standard));

        Assert.AreEqual("NAB scoring: expected a threshold, found NaN. (Parameter 'threshold')", e.Message);
    }

    [TestMethod]
    public void AWindowOnARepeatedTimestampStartsAtItsFirstRow()
    {
        DateTime[] times = [Start, Start.AddMinutes(1), Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3)];
        var series = new NabSeries("cat/dup.csv", times, new double[5], [new NabWindow(Start.AddMinutes(1), Start.AddMinutes(2))]);

        var result = NabScorer.ScoreSeries(series, [0, 1, 0, 0, 0], 0.5, NabProfile.Standard);

        Assert.AreEqual((1, 2), (result.TruePositives, result.FalseNegatives), "rows 1–3 are the window");
        Assert.AreEqual(1.0, result.Score, 1e-12);
    }

    [TestMethod]
    public void LoadReadsACsvWithAByteOrderMarkAndCrlfLineEndings()
    {
        string root = TempCorpus("\uFEFFtimestamp,value\r\n2024-01-01 00:00:00,1.5\r\n2024-01-01 00:01:00,-2\r\n", """{"cat/a.csv": []}""");

        var corpus = NabCorpus.Load(root);
        Directory.Delete(root, recursive: true);

        CollectionAssert.AreEqual(new[] { 1.5, -2.0 }, corpus.Single().Values.ToArray());
        CollectionAssert.AreEqual(Times(2), corpus.Single().Timestamps.ToArray());
    }

    [TestMethod]
    public void LoadSkipsBlankLinesAsNabsPandasDoes()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n\n2024-01-01 00:01:00,2\n\n", """{"cat/a.csv": []}""");

        var corpus = NabCorpus.Load(root);
        Directory.Delete(root, recursive: true);

        CollectionAssert.AreEqual(new[] { 1.0, 2.0 }, corpus.Single().Values.ToArray());
    }

    [TestMethod]
    public void LoadNamesTheLabelsFileWhenItIsNotJson()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": [""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.StartsWith($"NAB labels '{Path.Combine(root, "labels", "combined_windows.json")}': not valid JSON (", e.Message);
    }

    [TestMethod]
    public void LoadRefusesLabelsForASeriesWithoutAFile()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": [], "cat/gone.csv": []}""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.AreEqual($"NAB labels '{Path.Combine(root, "labels", "combined_windows.json")}': series 'cat/gone.csv' is labelled, but data/cat/gone.csv does not exist.", e.Message);
    }

    [TestMethod]
    public void LoadRefusesAWindowThatIsNotTwoTimestamps()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": [["2024-01-01 00:00:00"]]}""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.AreEqual($"NAB labels '{Path.Combine(root, "labels", "combined_windows.json")}': series 'cat/a.csv', window 0: expected [start, end] as two timestamps such as \"2014-04-10 07:15:00.000000\", found [\"2024-01-01 00:00:00\"].", e.Message);
    }

    [TestMethod]
    public void LoadFollowsACsvSymlinkedFromOutsideTheRootNamingItByItsPathUnderData()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": [], "cat/link.csv": []}""");
        string outside = Path.Combine(Path.GetTempPath(), "nab-outside-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(outside, "timestamp,value\n2024-01-01 00:00:00,7\n");
        File.CreateSymbolicLink(Path.Combine(root, "data", "cat", "link.csv"), outside);

        var corpus = NabCorpus.Load(root);
        Directory.Delete(root, recursive: true);
        File.Delete(outside);

        Assert.AreEqual("cat/a.csv, cat/link.csv", string.Join(", ", corpus.Select(s => s.Name)));
        Assert.AreEqual(7.0, corpus[1].Values[0]);
    }

    [TestMethod]
    public void LoadOfADataFolderWithASymlinkLoopEndsNamingTheSeriesSeenThroughIt()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": []}""");
        string loop = Path.Combine(root, "data", "cat", "loop");
        Directory.CreateSymbolicLink(loop, Path.Combine(root, "data"));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(loop);
        Directory.Delete(root, recursive: true);

        Assert.AreEqual($"NAB labels '{Path.Combine(root, "labels", "combined_windows.json")}': series 'cat/loop/cat/a.csv' has no entry; expected one for every CSV file under data/ (an empty list for a series without anomalies).", e.Message);
    }

    [TestMethod]
    public void LoadOfADanglingCsvSymlinkThrowsFileNotFoundNamingIt()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n", """{"cat/a.csv": [], "cat/gone.csv": []}""");
        string link = Path.Combine(root, "data", "cat", "gone.csv");
        File.CreateSymbolicLink(link, Path.Combine(root, "nowhere.csv"));

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.AreEqual(link, e.FileName);
    }

    [TestMethod]
    public void ANullSeriesInACorpusIsRefusedNamingItsIndex()
    {
        var series = new NabSeries("cat/s.csv", Times(3), new double[3], []);

        var e = Assert.ThrowsExactly<ArgumentNullException>(() => NabScorer.ScoreCorpus([series, null!], [new double[3], new double[3]], 0.5, NabProfile.Standard));

        Assert.AreEqual("NAB scoring: series 1 of the corpus is null. (Parameter 'corpus')", e.Message);
    }
}
