using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The anomaly-detection surfaces as a hostile caller meets them: the time-series engine's state
/// novelty and value range (eager memory, crafted checkpoints whose fields disagree with each
/// other, checkpoints mid-training, truncation), <c>DetectAnomalyByLstm</c> (tampered model.zip,
/// options changed after the estimator is built, threads, empty and one-row data, timestamps) and
/// the window-level trainer (huge values, NaN rows, empty data).
/// </summary>
[TestClass]
public sealed class HostileAnomalyTests
{
    private const int HistoryRows = 200;

    private static float Sine(int t) => MathF.Sin(0.3f * t);

    private static LstmModel Model(int inputSize = 1, int hiddenSize = 8) => LstmModel.CreateRandom(inputSize, hiddenSize, outputSize: inputSize, seed: 1);

    private static byte[] Checkpoint(LstmTimeSeriesEngine engine)
    {
        using var stream = new MemoryStream();
        engine.CheckPoint(stream);
        return stream.ToArray();
    }

    private static byte[] Resigned(byte[] checkpoint)
    {
        System.Security.Cryptography.SHA256.HashData(checkpoint.AsSpan(0, checkpoint.Length - 32), checkpoint.AsSpan(checkpoint.Length - 32));
        return checkpoint;
    }

    /// <summary>Where the novelty part (its capacity) starts in a format-4 checkpoint of F features and L·H state values.</summary>
    private static int NoveltyOffset(byte[] checkpoint, int features, int width)
    {
        using var reader = new BinaryReader(new MemoryStream(checkpoint));
        reader.ReadBytes(8 + 4 + 32 + 12 + 8 + (2 * width + features) * 4);
        int averaging = reader.ReadInt32(), history = reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadInt64();
        reader.ReadBoolean();
        reader.ReadInt64();
        reader.ReadInt64();
        long means = reader.ReadInt64();
        reader.ReadBytes(16 + 8 * averaging + 8 * (int)Math.Min(means, history));
        reader.ReadBoolean();
        reader.ReadInt64();
        reader.ReadBytes(8 * features);
        return (int)reader.BaseStream.Position;
    }

    private static LstmTimeSeriesPrediction[] Read(LstmTimeSeriesEngine engine, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(t => engine.Predict(Sine(t)))];

    // ---- The engine: memory ----

    [TestMethod]
    public void AHundredThousandStateNoveltyMemoryCostsNothingWhenNoTrainingPointsCanFillIt()
    {
        var model = Model(hiddenSize: 64);
        using (model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { NoveltyMemory = 0 }))
        {
        }

        long Allocated(int memory)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { NoveltyMemory = memory, TrainingPoints = 0 });
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long off = Allocated(0), on = Allocated(100_000);

        // TrainingPoints 0 keeps no state, yet 100,000 × 64 floats (25.6 MB) are allocated up front.
        Assert.IsLessThan(1L << 20, on - off, $"novelty memory on: {on:N0} bytes, off: {off:N0} bytes");
    }

    [TestMethod]
    public void WithNoveltyOffAnEngineHoldsOneErrorHistoryNotTwo()
    {
        long bytes = HistoryBytes(Model(), LstmErrorTail.Normal);

        // LstmDefaults.MaxHistoryLength promises 80 MB of doubles; the novelty's own history doubles it even when novelty is off.
        Assert.IsLessThan(90_000_000L, bytes, $"{bytes:N0} bytes for a history of 10,000,000");
    }

    [TestMethod]
    public void TheEmpiricalTailAddsOneSortedCopyOfTheErrorHistory()
    {
        long bytes = HistoryBytes(Model(), LstmErrorTail.Empirical);

        // LstmDefaults.MaxHistoryLength: 80 MB of doubles, and as much again for the sorted copy.
        Assert.IsGreaterThan(159_000_000L, bytes, $"{bytes:N0} bytes for a history of 10,000,000");
        Assert.IsLessThan(170_000_000L, bytes, $"{bytes:N0} bytes for a history of 10,000,000");
    }

    // What an engine without novelty allocates for a history of 10,000,000 beyond one of 2.
    private static long HistoryBytes(LstmModel model, LstmErrorTail tail)
    {
        long Allocated(int historyLength)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { NoveltyMemory = 0, HistoryLength = historyLength, WarmUpPoints = 1, ErrorTail = tail });
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // The small one first: it also pays for whatever the first engine of the process initializes.
        long small = Allocated(2);
        return Allocated(10_000_000) - small;
    }

    // ---- The engine: checkpoints ----

    [TestMethod]
    public void ACheckpointTakenBeforeTheTrainingPointsEndResumesBitForBitWithTheKeptStates()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 150, HistoryLength = 40, WarmUpPoints = 5 };
        using var straight = model.CreateTimeSeriesEngine(options);
        var expected = Read(straight, 0, 300);
        using var first = model.CreateTimeSeriesEngine(options);
        Read(first, 0, 100);
        byte[] checkpoint = Checkpoint(first);

        using var resumed = model.CreateTimeSeriesEngine(options);
        resumed.Restore(new MemoryStream(checkpoint));
        var actual = Read(resumed, 100, 200);

        CollectionAssert.AreEqual(expected[100..], actual);
        Assert.IsTrue(actual[^1].Novelty > 0 && float.IsFinite(actual[^1].Novelty), $"{actual[^1]}");
    }

    [TestMethod]
    public void ACheckpointAfterOneTrainingPointCarriesItsStandardizedStateAndResumesBitForBit()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 1, HistoryLength = 10, WarmUpPoints = 2 };
        using var straight = model.CreateTimeSeriesEngine(options);
        var expected = Read(straight, 0, 40);
        using var first = model.CreateTimeSeriesEngine(options);
        Read(first, 0, 20);

        using var resumed = model.CreateTimeSeriesEngine(options);
        resumed.Restore(new MemoryStream(Checkpoint(first)));

        CollectionAssert.AreEqual(expected[20..], Read(resumed, 20, 20));
    }

    [TestMethod]
    public void ACheckpointWhosePointCountDisagreesWithItsErrorHistoryIsRefused()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 60);
        byte[] checkpoint = Checkpoint(source);
        // The engine's count of points: 60 → 0. The error history, the range and the kept states still say 60.
        BitConverter.TryWriteBytes(checkpoint.AsSpan(56), 0L);
        using var engine = model.CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        StringAssert.StartsWith(e.Message, "time-series checkpoint: ");
        Assert.AreEqual(0L, engine.Points);
    }

    [TestMethod]
    public void ACheckpointWhoseKeptStatesClaimToBeStandardizedBeforeTheTrainingPointsEndIsRefused()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 60);
        byte[] checkpoint = Checkpoint(source);
        int novelty = NoveltyOffset(checkpoint, 1, 8);
        Assert.AreEqual(1000, BitConverter.ToInt32(checkpoint, novelty), "the novelty part's capacity");
        Assert.AreEqual(0, checkpoint[novelty + 5], "not frozen");
        checkpoint[novelty + 5] = 1;
        using var engine = model.CreateTimeSeriesEngine(options);

        // 40 training points are still to come, and would be kept raw among states taken as standardized.
        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        StringAssert.StartsWith(e.Message, "time-series checkpoint: ");
    }

    [TestMethod]
    public void ACheckpointWhoseKeptStateCountDisagreesWithTheStatesOfferedIsRefusedNamingBoth()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 60);
        byte[] checkpoint = Checkpoint(source);
        int novelty = NoveltyOffset(checkpoint, 1, 8);
        Assert.AreEqual(12L, BitConverter.ToInt64(checkpoint, novelty + 6), "60 points − 48 settling");
        BitConverter.TryWriteBytes(checkpoint.AsSpan(novelty + 14), 5);
        using var engine = model.CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: expected the latest 12 of the 12 training states offered to be kept (the memory holds 52), found 5.", e.Message);
    }

    [TestMethod]
    public void ACheckpointWithANaNStateScaleIsRefusedNamingItsIndex()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 130);
        byte[] checkpoint = Checkpoint(source);
        int novelty = NoveltyOffset(checkpoint, 1, 8);
        // capacity 4, known 1, frozen 1, offered 8, count 4, then 8 means and 8 scales.
        BitConverter.TryWriteBytes(checkpoint.AsSpan(novelty + 18 + 32 + 4 * 3), float.NaN);
        using var engine = model.CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: expected a state scale from 0 to 100, found NaN at index 3.", e.Message);
    }

    [TestMethod]
    public void ACheckpointWithANaNValueRangeIsRefusedNamingTheFeature()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 60);
        byte[] checkpoint = Checkpoint(source);
        // The range (known 1, seen 8, min 4, max 4) ends where the novelty part starts.
        int maximum = NoveltyOffset(checkpoint, 1, 8) - 4;
        BitConverter.TryWriteBytes(checkpoint.AsSpan(maximum), float.NaN);
        using var engine = model.CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        // Today: "time-series checkpoint: expected a finite value range, found NaN." (which bound, which feature?)
        StringAssert.Contains(e.Message, "feature 0");
    }

    [TestMethod]
    public void ANoveltyMemoryWhoseStatesOutgrowAnArrayIsRefusedNamingTheOption()
    {
        // 200 layers of 108 units: states of 21,600 values, × 100,000 kept is beyond an array's 2^31.
        var model = LstmModel.CreateRandom(1, 108, numLayers: 200, outputSize: 1, seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { NoveltyMemory = 100_000, TrainingPoints = 1_000_000 }));

        StringAssert.StartsWith(e.Message, "LstmTimeSeriesOptions.NoveltyMemory: ");
    }

    [TestMethod]
    public void ACheckpointWithANoveltyMemoryOfAnotherSizeIsRefusedBeforeAnyStateIsRead()
    {
        var model = Model();
        using var source = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, NoveltyMemory = 100_000 });
        Read(source, 0, 60);
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, NoveltyMemory = 1 });

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Checkpoint(source))));

        Assert.AreEqual("time-series checkpoint: it was written with LstmTimeSeriesOptions.NoveltyMemory 100000, this engine has 1.", e.Message);
    }

    [TestMethod]
    public void EveryTruncationOfACheckpointWithKeptStatesIsRefusedAndLeavesTheEngineAsItWas()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 60, HistoryLength = 10, WarmUpPoints = 2 };
        using var source = model.CreateTimeSeriesEngine(options);
        Read(source, 0, 80);
        byte[] checkpoint = Checkpoint(source);
        using var engine = model.CreateTimeSeriesEngine(options);
        Read(engine, 500, 7);
        var hidden = engine.HiddenState;

        for (int length = 0; length < checkpoint.Length; length++)
        {
            Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(checkpoint[..length])), $"{length} of {checkpoint.Length} bytes");
        }

        Assert.AreEqual(7L, engine.Points);
        CollectionAssert.AreEqual(hidden, engine.HiddenState);
    }

    [TestMethod]
    public void ResetMidStreamScoresTheNextPointsAsAFreshEngineWould()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 80, HistoryLength = 20, WarmUpPoints = 3 };
        using var fresh = model.CreateTimeSeriesEngine(options);
        var expected = Read(fresh, 0, 150);
        using var engine = model.CreateTimeSeriesEngine(options);
        Read(engine, 1000, 130);

        engine.Reset();

        CollectionAssert.AreEqual(expected, Read(engine, 0, 150));
    }

    [TestMethod]
    public void AMultivariateSeriesWithAConstantFeatureGivesFiniteNoveltyAndScoresWhenThatFeatureMoves()
    {
        var model = Model(inputSize: 2);
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 30, WarmUpPoints = 3 });
        for (int t = 0; t < 140; t++)
            engine.Predict([Sine(t), 5f]);

        var moved = engine.Predict([Sine(140), 500f]);

        Assert.IsTrue(float.IsFinite(moved.Novelty) && moved.Novelty > 0, $"{moved}");
        Assert.IsTrue(moved.Score is >= 0 and <= 1, $"{moved}");
    }

    [TestMethod]
    public void ManyThreadsPredictingOnOneEngineLeaveTheSameStateAsOneThread()
    {
        var model = Model();
        var options = new LstmTimeSeriesOptions { TrainingPoints = 50, HistoryLength = 10, WarmUpPoints = 2 };
        using var serial = model.CreateTimeSeriesEngine(options);
        for (int i = 0; i < 400; i++)
            serial.Predict(1f);
        using var shared = model.CreateTimeSeriesEngine(options);

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => shared.Predict(1f));

        CollectionAssert.AreEqual(Checkpoint(serial), Checkpoint(shared));
    }

    // ---- DetectAnomalyByLstm ----

    private static LstmAnomalyDetectorOptions Small() => new() { HiddenSize = 8, Epochs = 2, WindowSize = 16, Seed = 1 };

    private static Reading[] Series(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(t => new Reading { Value = Sine(t), Flat = 2f, Time = t })];

    private static IDataView Load(MLContext mlContext, Reading[] rows) => mlContext.Data.LoadFromEnumerable(rows);

    private static float[][] Scores(IDataView scored, string column = "Anomaly") => [.. scored.GetColumn<float[]>(column)];

    private static void AssertSameRows(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
    }

    private static byte[] Saved(MLContext mlContext, ITransformer transformer, DataViewSchema schema)
    {
        using var zip = new MemoryStream();
        mlContext.Model.Save(transformer, schema, zip);
        return zip.ToArray();
    }

    /// <summary>The model.zip with <paramref name="edit"/> applied to every entry holding <paramref name="pattern"/>, at its first occurrence.</summary>
    private static MemoryStream Tampered(byte[] zipBytes, byte[] pattern, Action<byte[], int> edit)
    {
        var zip = new MemoryStream();
        zip.Write(zipBytes);
        int edited = 0;
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Update, leaveOpen: true))
        {
            foreach (var entry in archive.Entries.ToArray())
            {
                byte[] content;
                using (var stream = entry.Open())
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    content = copy.ToArray();
                }
                int at = content.AsSpan().IndexOf(pattern);
                if (at < 0)
                    continue;
                edit(content, at);
                edited++;
                string name = entry.FullName;
                entry.Delete();
                using var replaced = archive.CreateEntry(name).Open();
                replaced.Write(content);
            }
        }
        Assert.AreEqual(1, edited, "one entry holds the pattern");
        zip.Position = 0;
        return zip;
    }

    /// <summary>The saved alert threshold (0.4) followed by the history's points: the start of the saved options.</summary>
    private static byte[] SavedOptionsPattern(float threshold, long historyPoints) =>
        [.. BitConverter.GetBytes(threshold), .. BitConverter.GetBytes(historyPoints)];

    [TestMethod]
    public void AModelZipWhoseAlertThresholdWasMadeNaNIsRefusedOnLoad()
    {
        // DetectAnomalyByLstm refuses a NaN threshold; a loaded one that is NaN would never alert.
        var refused = RefusalOfASavedDetectorEdited((bytes, at) => BitConverter.TryWriteBytes(bytes.AsSpan(at), float.NaN));

        Assert.AreEqual("The saved LSTM anomaly detector's alert threshold is NaN; expected above 0 and at most 1.", refused.Message);
    }

    // Fits and saves the small detector, edits its saved options (at: where the alert threshold starts) and loads it.
    private static FormatException RefusalOfASavedDetectorEdited(Action<byte[], int> edit)
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryRows));
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(history);
        var zip = Tampered(Saved(mlContext, detector, history.Schema), SavedOptionsPattern(0.5f, HistoryRows), edit);

        return DecodeRefusal(() => mlContext.Model.Load(zip, out _));
    }

    // ML.NET wraps a loader's refusal (FormatException, from CheckDecode) in its own exceptions.
    private static FormatException DecodeRefusal(Action load)
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(load);
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is FormatException refused)
            {
                return refused;
            }
        }
        throw new AssertFailedException($"no FormatException in {e}");
    }

    [TestMethod]
    public void AModelZipWhoseValueRangeToleranceIsOutOfRangeIsRefusedAsADamagedModelZip()
    {
        // threshold 4, points 8, AveragingWindow 4, HistoryLength 4, WarmUpPoints 4, then the tolerance.
        var refused = RefusalOfASavedDetectorEdited((bytes, at) => BitConverter.TryWriteBytes(bytes.AsSpan(at + 24), 1e9));

        Assert.AreEqual("The saved LSTM anomaly detector's scoring options are damaged: LstmTimeSeriesOptions.ValueRangeTolerance: expected null (off) or 0 to 10 (a fraction of the value range), found 1000000000. (Parameter 'ValueRangeTolerance')", refused.Message);
    }

    [TestMethod]
    [DataRow(-7)]
    [DataRow(5)]
    public void AModelZipWhoseErrorTailIsNoTailIsRefusedAsADamagedModelZip(int tail)
    {
        // threshold 4, points 8, AveragingWindow 4, HistoryLength 4, WarmUpPoints 4, tolerance 8, NoveltyMemory 4, then the tail (-1 for null).
        var refused = RefusalOfASavedDetectorEdited((bytes, at) => BitConverter.TryWriteBytes(bytes.AsSpan(at + 36), tail));

        Assert.AreEqual($"The saved LSTM anomaly detector's scoring options are damaged: LstmTimeSeriesOptions.ErrorTail: expected null (chosen by the value range and novelty), Normal or Empirical, found {tail}. (Parameter 'ErrorTail')", refused.Message);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(21)]
    public void ACheckpointWhoseWindowIsOutOfRangeIsRefusedByAnEngineThatTakesTheCheckpointsWindow(int window)
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] checkpoint = Checkpoint(source);
        // The error history's window follows the header, the point count, both states (8 values each) and the forecast.
        int at = 8 + 4 + 32 + 12 + 8 + (2 * 8 + 1) * 4;
        Assert.AreEqual(2, BitConverter.ToInt32(checkpoint, at), "the default window under the empirical tail");
        BitConverter.TryWriteBytes(checkpoint.AsSpan(at), window);
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual($"time-series checkpoint: expected an AveragingWindow of 1 to HistoryLength (20), found {window}.", e.Message);
        Assert.AreEqual(0L, engine.Points);
    }

    [TestMethod]
    public void ACheckpointWhoseWindowsWereCutToOneWithTheirValuesIsRefusedByItsCounts()
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] original = Checkpoint(source);
        // Both windows 2 → 1 and one averaged value cut from each, so that the bytes still fit; the counts stay a window of 2's.
        int errorAt = 8 + 4 + 32 + 12 + 8 + (2 * 8 + 1) * 4;
        int noveltyAt = original.Length - 32 - (61 + 8 * 2 + 8 * 20);
        var bytes = original.ToList();
        bytes.RemoveRange(noveltyAt + 61 + 8, 8);
        bytes.RemoveRange(errorAt + 61 + 8, 8);
        byte[] edited = [.. bytes];
        BitConverter.TryWriteBytes(edited.AsSpan(errorAt), 1);
        BitConverter.TryWriteBytes(edited.AsSpan(noveltyAt - 8), 1);
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(edited))));

        Assert.AreEqual("time-series checkpoint: expected 200 means of 200 errors averaged 1 at a time, found 199.", e.Message);
        Assert.AreEqual(0L, engine.Points);
    }

    [TestMethod]
    public void AFailedRestoreKeepsTheWindowAnEngineTookFromAnEarlierCheckpoint()
    {
        var model = Model();
        using var windowOfOne = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, AveragingWindow = 1 });
        Read(windowOfOne, 0, 150);
        byte[] one = Checkpoint(windowOfOne);
        using var windowOfFour = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, AveragingWindow = 4 });
        Read(windowOfFour, 0, 200);
        byte[] four = Checkpoint(windowOfFour);
        byte[] damaged = [.. four];
        damaged[^1] ^= 1;
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100 });
        engine.Restore(new MemoryStream(one));

        Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(damaged)));
        Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(four[..^40])));

        CollectionAssert.AreEqual(one, Checkpoint(engine));
        CollectionAssert.AreEqual(Read(windowOfOne, 150, 100), Read(engine, 150, 100));
    }

    [TestMethod]
    public void ThreadsRestoringCheckpointsOfOtherWindowsWhilePredictingNeverTearTheState()
    {
        var model = Model();
        byte[] CheckpointAfter(int? window, int points)
        {
            using var writer = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100, AveragingWindow = window });
            Read(writer, 0, points);
            return Checkpoint(writer);
        }
        byte[][] checkpoints = [CheckpointAfter(1, 150), CheckpointAfter(null, 160), CheckpointAfter(5, 170)];
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100 });
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, k =>
        {
            for (int i = 0; i < 200; i++)
            {
                switch ((i + k) % 3)
                {
                    case 0:
                        engine.Restore(new MemoryStream(checkpoints[(i + k) % checkpoints.Length]));
                        break;
                    case 1:
                        float score = engine.Predict(Sine(200 + i % 100)).Score;
                        if (!(score is >= 0 and <= 1))
                        {
                            failures.Add($"score {score}");
                        }
                        break;
                    default:
                        using (var other = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 100 }))
                        {
                            other.Restore(new MemoryStream(Checkpoint(engine)));
                        }
                        break;
                }
            }
        });
        engine.Restore(new MemoryStream(checkpoints[2]));

        Assert.IsEmpty(failures, string.Join(", ", failures));
        CollectionAssert.AreEqual(checkpoints[2], Checkpoint(engine));
    }

    [TestMethod]
    public void ACheckpointWhoseNoveltyWindowIsNotItsErrorWindowIsRefused()
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] checkpoint = Checkpoint(source);
        // The novelty history ends the state: its window first, then 16 bytes of settings, its tail, 40 of counts and sums, 2 averaged values, 20 kept ones.
        int at = checkpoint.Length - 32 - (61 + 8 * 2 + 8 * 20);
        Assert.AreEqual(2, BitConverter.ToInt32(checkpoint, at));
        BitConverter.TryWriteBytes(checkpoint.AsSpan(at), 1);
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: it was written with LstmTimeSeriesOptions.AveragingWindow 1, this engine has 2.", e.Message);
    }

    [TestMethod]
    [DataRow(-7)]
    [DataRow(0)]
    public void AModelZipWhoseAveragingWindowIsNoWindowIsRefusedAsADamagedModelZip(int window)
    {
        // threshold 4, points 8, then the window (-1 for null).
        var refused = RefusalOfASavedDetectorEdited((bytes, at) => BitConverter.TryWriteBytes(bytes.AsSpan(at + 12), window));

        Assert.AreEqual($"The saved LSTM anomaly detector's scoring options are damaged: LstmTimeSeriesOptions.AveragingWindow: expected null (chosen by the error tail) or 1 to HistoryLength (8640), found {window}. (Parameter 'AveragingWindow')", refused.Message);
    }

    [TestMethod]
    public void ACheckpointWhoseNoveltyHistoryClaimsTheEmpiricalTailIsRefused()
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] checkpoint = Checkpoint(source);
        // The novelty history ends the state: 20 bytes of settings, its tail, 40 of counts and sums, 2 averaged values, 20 kept ones.
        checkpoint[checkpoint.Length - 32 - (61 + 8 * 2 + 8 * 20) + 20] = 1;
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual("time-series checkpoint: expected a novelty history judged by the normal tail, found one judged by the empirical tail.", e.Message);
    }

    [TestMethod]
    [DataRow(5, 3, "expected a tail of 0 (normal) to 2 (empirical, over square roots), found 3")]
    [DataRow(4, 2, "expected a tail of 0 (normal) to 1 (empirical), found 2")]
    public void ACheckpointWhoseErrorTailIsNoneItsFormatKnowsIsRefused(int version, int tail, string why)
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] checkpoint = Checkpoint(source);
        // The error history's tail follows its window, HistoryLength, WarmUpPoints (4 bytes each) and TrainingPoints (8).
        int at = 8 + 4 + 32 + 12 + 8 + (2 * 8 + 1) * 4 + 20;
        Assert.AreEqual(2, checkpoint[at], "the empirical tail over square roots");
        checkpoint[at] = (byte)tail;
        BitConverter.TryWriteBytes(checkpoint.AsSpan(8), version);
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        Assert.AreEqual($"time-series checkpoint: {why}.", e.Message);
    }

    [TestMethod]
    public void ACheckpointWhoseErrorRootIsBeyondAnyTwoFloatsIsRefused()
    {
        var options = new LstmTimeSeriesOptions { TrainingPoints = 100, HistoryLength = 20, WarmUpPoints = 5 };
        using var source = Model().CreateTimeSeriesEngine(options);
        Read(source, 0, 300);
        byte[] checkpoint = Checkpoint(source);
        // The error history's first averaged value follows its 61 bytes of settings, tail, counts and sums.
        int at = 8 + 4 + 32 + 12 + 8 + (2 * 8 + 1) * 4 + 61;
        BitConverter.TryWriteBytes(checkpoint.AsSpan(at), 1e39);
        using var engine = Model().CreateTimeSeriesEngine(options);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => engine.Restore(new MemoryStream(Resigned(checkpoint))));

        // Two floats differ by at most 2·float.MaxValue, 6.8e38.
        Assert.AreEqual("time-series checkpoint: expected an error's square root from 0 to 6.81E+38, found 1E+39.", e.Message);
    }

    [TestMethod]
    public void OptionsChangedAfterTheEstimatorIsBuiltDoNotChangeWhatFitDoes()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryRows));
        var later = Load(mlContext, Series(HistoryRows, 60));
        using var expected = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(history);
        var options = Small();
        var estimator = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", options);

        options.Scoring.WarmUpPoints = 1;
        using var detector = estimator.Fit(history);

        // WindowSize, Epochs… are copied when the estimator is built; Scoring is shared with the caller.
        AssertSameRows(Scores(expected.Transform(later)), Scores(detector.Transform(later)));
    }

    [TestMethod]
    public void EightThreadsTransformingWithOneDetectorGetTheSingleThreadedScores()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(Load(mlContext, Series(0, HistoryRows)));
        var later = Load(mlContext, Series(HistoryRows, 100));
        var expected = Scores(detector.Transform(later));

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = Scores(detector.Transform(later)));

        foreach (var result in results)
            AssertSameRows(expected, result);
        Assert.AreEqual(0, detector.OpenEngines);
    }

    [TestMethod]
    public void DisposingTheDetectorMidCursorLetsTheCursorFinishAndFreesItsEngine()
    {
        var mlContext = new MLContext(seed: 1);
        var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(Load(mlContext, Series(0, HistoryRows)));
        var scored = detector.Transform(Load(mlContext, Series(HistoryRows, 30)));
        var expected = Scores(scored);
        var cursor = scored.GetRowCursor(scored.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Anomaly"]);
        var read = new List<float[]>();
        VBuffer<float> value = default;

        for (int i = 0; i < 10 && cursor.MoveNext(); i++)
        {
            getter(ref value);
            read.Add(value.DenseValues().ToArray());
        }
        detector.Dispose();
        while (cursor.MoveNext())
        {
            getter(ref value);
            read.Add(value.DenseValues().ToArray());
        }
        int openBefore = detector.OpenEngines;
        cursor.Dispose();

        AssertSameRows(expected, [.. read]);
        Assert.AreEqual((1, 0), (openBefore, detector.OpenEngines));
    }

    [TestMethod]
    public void EmptyAndOneRowDataScoreWithoutLeavingAnEngineOpen()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(Load(mlContext, Series(0, HistoryRows)));

        var none = Scores(detector.Transform(Load(mlContext, [])));
        var one = Scores(detector.Transform(Load(mlContext, Series(HistoryRows, 1))));

        Assert.IsEmpty(none);
        Assert.HasCount(1, one);
        Assert.AreEqual(0f, one[0][0]);
        Assert.AreEqual(0f, one[0][1]);
        Assert.IsTrue(float.IsFinite(one[0][2]) && one[0][2] >= 0, $"error {one[0][2]}");
        Assert.AreEqual(0, detector.OpenEngines);
    }

    [TestMethod]
    public void AnEmptyHistoryIsRefusedAsTooShort()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(Load(mlContext, [])));

        Assert.AreEqual("Anomaly detector history: expected at least 5 points, enough for 4 training windows of 2, found 0. (Parameter 'history')", e.Message);
    }

    [TestMethod]
    public void AConstantSecondColumnTrainsAndScoresFinitely()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", ["Value", "Flat"], Small()).Fit(Load(mlContext, Series(0, HistoryRows)));
        var later = Series(HistoryRows, 80);
        later[70].Flat = 2000f;

        var scores = Scores(detector.Transform(Load(mlContext, later)));

        Assert.IsTrue(scores.All(s => float.IsFinite(s[1]) && float.IsFinite(s[2])));
        Assert.AreEqual(1f, scores[70][0], $"the constant feature's jump scores {scores[70][1]}");
    }

    [TestMethod]
    public void AnOutputColumnNamedAsTheInputHidesItAndScoresTheSame()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryRows));
        var later = Load(mlContext, Series(HistoryRows, 40));
        using var separate = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small()).Fit(history);
        using var same = mlContext.Transforms.DetectAnomalyByLstm("Value", "Value", Small()).Fit(history);

        var scored = same.Transform(later);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), scored.Schema["Value"].Type);
        AssertSameRows(Scores(separate.Transform(later)), Scores(scored, "Value"));
    }

    [TestMethod]
    public void ANaNDoubleTimestampMidHistoryIsRefusedNamingItsRowAndTheOneBefore()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Series(0, HistoryRows);
        rows[3].Time = double.NaN;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Time").Fit(Load(mlContext, rows)));

        Assert.AreEqual("Row 3 of timestamp column 'Time': expected a timestamp after 2 (row 2), found NaN. The series is read in row order, Transform's rows after Fit's: sort the rows by time and drop repeated timestamps.", e.Message);
    }

    [TestMethod]
    public void TransformingTheHistoryAgainWithTimestampsIsRefusedAtItsFirstRow()
    {
        var mlContext = new MLContext(seed: 1);
        var history = Load(mlContext, Series(0, HistoryRows));
        using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "Time").Fit(history);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Scores(detector.Transform(history)));

        Assert.AreEqual("Row 0 of timestamp column 'Time': expected a timestamp after 199 (the last of the history Fit read), found 0. The series is read in row order, Transform's rows after Fit's: sort the rows by time and drop repeated timestamps.", e.Message);
        Assert.AreEqual(0, detector.OpenEngines);
    }

    [TestMethod]
    public void DateTimesOfEqualTicksButDifferentKindsAreOneTimestampRepeated()
    {
        var mlContext = new MLContext(seed: 1);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, 40).Select(t => new TimedReading { Value = Sine(t), When = start.AddMinutes(t) }).ToArray();
        rows[10].When = DateTime.SpecifyKind(rows[9].When, DateTimeKind.Local);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", Small(), "When").Fit(mlContext.Data.LoadFromEnumerable(rows)));

        StringAssert.StartsWith(e.Message, "Row 10 of timestamp column 'When': expected a timestamp after 2024-01-01T00:09:00");
    }

    // ---- Trainers.Lstm ----

    private static readonly LstmAnomalyTrainerOptions Tiny = new() { HiddenSize = 8, Epochs = 2, Seed = 1 };

    private static IDataView Windows(MLContext mlContext, float[][] rows)
    {
        var schema = SchemaDefinition.Create(typeof(WindowRow));
        schema[nameof(WindowRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 20);
        return mlContext.Data.LoadFromEnumerable(rows.Select(r => new WindowRow { Sequence = r }), schema);
    }

    private static float[][] SineWindows(int count) =>
        [.. Enumerable.Range(0, count).Select(n => Enumerable.Range(0, 20).Select(t => Sine(t + 3 * n)).ToArray())];

    [TestMethod]
    public void AScoredRowOfHugeFiniteValuesScoresOneAndIsFlagged()
    {
        var mlContext = new MLContext(seed: 1);
        using var detector = mlContext.AnomalyDetection.Trainers.Lstm("Sequence", Tiny).Fit(Windows(mlContext, SineWindows(40)));
        var test = SineWindows(3);
        test[1] = [.. test[1].Select(v => v * 1e30f)];

        var scored = detector.Transform(Windows(mlContext, test));
        var scores = scored.GetColumn<float>("Score").ToArray();
        var flags = scored.GetColumn<bool>("PredictedLabel").ToArray();

        Assert.AreEqual(1f, scores[1], $"scores {string.Join(", ", scores)}");
        Assert.IsTrue(flags[1]);
    }

    [TestMethod]
    public void ANaNInTheLastTrainingRowIsRefusedNamingItsRowInTheInput()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = SineWindows(40);
        rows[39][5] = float.NaN;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.AnomalyDetection.Trainers.Lstm("Sequence", Tiny).Fit(Windows(mlContext, rows)));

        Assert.AreEqual("LSTM training: row 39 holds NaN or infinity; replace missing values before training (e.g. ReplaceMissingValues).", e.Message);
    }

    [TestMethod]
    public void ANaNInAnyTrainingRowIsRefusedWhereverItFalls()
    {
        var mlContext = new MLContext(seed: 1);
        var refused = new List<int>();
        for (int row = 0; row < 12; row++)
        {
            var rows = SineWindows(12);
            rows[row][3] = float.PositiveInfinity;
            try
            {
                using var detector = mlContext.AnomalyDetection.Trainers.Lstm("Sequence", Tiny).Fit(Windows(mlContext, rows));
            }
            catch (InvalidOperationException e) when (e.Message.Contains($"row {row} holds NaN or infinity", StringComparison.Ordinal))
            {
                refused.Add(row);
            }
        }

        CollectionAssert.AreEqual(Enumerable.Range(0, 12).ToArray(), refused.ToArray());
    }

    [TestMethod]
    public void AnEmptyTrainingSetIsRefusedNamingTheColumn()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.AnomalyDetection.Trainers.Lstm("Sequence", Tiny).Fit(Windows(mlContext, [])));

        StringAssert.Contains(e.Message, "Sequence");
    }

    private sealed class Reading
    {
        public float Value { get; set; }

        public float Flat { get; set; }

        public double Time { get; set; }
    }

    private sealed class TimedReading
    {
        public float Value { get; set; }

        public DateTime When { get; set; }
    }

    private sealed class WindowRow
    {
        public float[] Sequence { get; set; } = [];
    }
}
