using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Lifetimes as a careless or hostile user drives them: a transformer disposed while other
/// threads' cursors are inside ONNX Runtime, PredictionEngines that each own the shared
/// transformer, cursors that are never disposed, and sequences whose length the schema does not give.
/// </summary>
[TestClass]
public sealed class HostileLifetimeTests
{
    private const int Rows = 64;
    private const int Steps = 16;
    private const int Threads = 8;

    private const string DisposedMessage =
        "This LstmFeaturizerTransformer has been disposed, so it cannot start a new cursor or PredictionEngine; those started before Dispose run to their end. " +
        "Keep the transformer (or the model that holds it) until its last cursor or PredictionEngine has been created.";

    private static readonly LstmModel Model = LstmModel.CreateRandom(2, 16, seed: 11);

    [TestMethod]
    public void DisposingAtRandomMomentsWhileEightThreadsReadLeavesEveryFinishedPassCorrect()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(Rows, Steps, 2, seed: 11));
        // Small batches and no output cache: every pass calls ONNX Runtime eight times.
        var options = new LstmFeaturizerOptions { BatchSize = 8, OutputCacheBytes = 0 };
        var expected = Reference(mlContext, data, Model, options);
        var random = new Random(12);
        var errors = new ConcurrentQueue<Exception>();
        int finished = 0;
        int refused = 0;

        for (int iteration = 0; iteration < 200; iteration++)
        {
            var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, options).Fit(data);
            var output = transformer.Transform(data);
            int disposer = random.Next(Threads);
            int disposeAfterRow = random.Next(1, Rows + 1);
            using var start = new Barrier(Threads);
            var threads = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    DataViewRowCursor cursor;
                    try
                    {
                        cursor = output.GetRowCursor(output.Schema);
                    }
                    catch (ObjectDisposedException e) when (e.Message == DisposedMessage)
                    {
                        Interlocked.Increment(ref refused);
                        return;
                    }
                    var rows = ReadAll(cursor, thread == disposer ? disposeAfterRow : -1, transformer);
                    AreIdentical(expected, rows);
                    Interlocked.Increment(ref finished);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            })).ToArray();
            StartAndJoin(threads);

            Assert.IsTrue(transformer.SessionReleased, $"iteration {iteration}: the session is freed once the last cursor is disposed");
        }

        Assert.IsEmpty(errors, string.Join("\n", errors));
        Assert.AreEqual(200 * Threads, finished + refused);
        Assert.IsGreaterThanOrEqualTo(200, finished, "the disposing thread always finishes its own pass");
    }

    [TestMethod]
    public void CursorStartedBeforeDisposeFinishesWithTheValuesOfAnUndisposedTransformer()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(Rows, Steps, 2, seed: 13));
        var options = new LstmFeaturizerOptions { BatchSize = 8 };
        var expected = Reference(mlContext, data, Model, options);
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, options).Fit(data);
        var output = transformer.Transform(data);

        using var cursor = output.GetRowCursor(output.Schema);
        var rows = ReadAll(cursor, disposeAfterRow: 1, transformer);

        AreIdentical(expected, rows);
        Assert.IsTrue(transformer.SessionReleased, "the session is freed when the cursor is disposed");
    }

    [TestMethod]
    public void CursorCreatedAfterDisposeThrowsObjectDisposedException()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(4, Steps, 2, seed: 14));
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model).Fit(data);
        var output = transformer.Transform(data);

        transformer.Dispose();

        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => output.GetRowCursor(output.Schema));
        Assert.AreEqual(DisposedMessage, e.Message);
    }

    [TestMethod]
    public void PredictionEnginesOfOneLoadedModelZipKeepPredictingWhileOthersAreDisposed()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(40, Steps, seed: 15);
        var data = TestData.Sequences(mlContext, rows, Steps);
        var model = LstmModel.CreateRandom(1, 16, seed: 15);
        var expected = Reference(mlContext, data, model, new LstmFeaturizerOptions());
        using var zip = new MemoryStream();
        using (var saved = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data))
        {
            mlContext.Model.Save(saved, data.Schema, zip);
        }
        zip.Position = 0;
        var loaded = (LstmFeaturizerTransformer)mlContext.Model.Load(zip, out _);

        var errors = PredictOnFourEnginesDisposedInTurn(mlContext, loaded, rows, expected);

        Assert.IsEmpty(errors, string.Join("\n", errors));
        var e = Assert.ThrowsExactly<ObjectDisposedException>(() =>
            mlContext.Model.CreatePredictionEngine<SequenceRow, FeaturesRow>(loaded, inputSchemaDefinition: EngineSchema()));
        Assert.AreEqual(DisposedMessage, e.Message);
        // ML.NET never disposes an engine's output row, so its batch and lease go when the engine is collected.
        FullGc();
        Assert.IsTrue(loaded.SessionReleased, "the session is freed once the disposed engines are collected");
    }

    [TestMethod]
    public void TwoThousandAbandonedCursorsLeaveNeitherHeapNorPinnedObjectsBehind()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(Rows, Steps, 2, seed: 16));
        // The default batch of 1024 rows: about 330 KB of buffers a cursor, 650 MB for 2,000. No
        // output cache: the first cursor's one batch holds every row, and later cursors would read the cache.
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { OutputCacheBytes = 0 }).Fit(data);
        var output = transformer.Transform(data);
        AbandonCursors(output, 1);
        FullGc();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        long pinnedBefore = GC.GetGCMemoryInfo(GCKind.FullBlocking).PinnedObjectsCount;

        AbandonCursors(output, 2000);
        FullGc();

        long heapGrowth = GC.GetTotalMemory(forceFullCollection: false) - heapBefore;
        Assert.IsLessThan(50L << 20, heapGrowth, $"the heap grew by {heapGrowth:N0} bytes");
        Assert.IsLessThanOrEqualTo(pinnedBefore, GC.GetGCMemoryInfo(GCKind.FullBlocking).PinnedObjectsCount);
    }

    [TestMethod]
    public void AbandonedCursorsDoNotKeepTheSessionOfADisposedTransformer()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(Rows, Steps, 2, seed: 17));
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { OutputCacheBytes = 0 }).Fit(data);
        AbandonCursors(transformer.Transform(data), 10);

        transformer.Dispose();
        FullGc();

        Assert.IsTrue(transformer.SessionReleased);
    }

    [TestMethod]
    public void AbandonedFillingCursorLetsTheNextFullPassFillTheOutputCache()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(Rows, Steps, 2, seed: 18));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { BatchSize = 8 }).Fit(data);
        var output = transformer.Transform(data);
        var first = TestData.Features(output);
        // The second pass is the one that fills the cache: abandon it after one batch.
        AbandonCursors(output, 1);
        FullGc();

        var filling = TestData.Features(output);
        long callsAfterFillingPass = transformer.OnnxRuntimeCalls;
        var cached = TestData.Features(output);

        Assert.AreEqual(Rows / 8 + 1 + Rows / 8, callsAfterFillingPass, "eight batches for the first pass, one for the abandoned cursor, eight for the filling pass");
        Assert.AreEqual(callsAfterFillingPass, transformer.OnnxRuntimeCalls, "the pass after the filling one reads the cache");
        AreIdentical(first, filling);
        AreIdentical(first, cached);
    }

    [TestMethod]
    public void VariableSizeColumnOfLongSequencesTakesNoMoreStepsPerCallThanItsKnownSizeTwin()
    {
        // 200 rows of 1,000 steps, 16 hidden units: the step budget is 800,000 / 16 = 50,000 steps a call.
        const int LongSteps = 1000;

        var (known, variable) = KnownAndVariableSize(rows: 200, LongSteps, seed: 19);

        Assert.AreEqual(64 * LongSteps, known.LargestCallSteps, "64 rows: the power of two nearest 50");
        Assert.AreEqual(50 * LongSteps, variable.LargestCallSteps, "50 rows: as many as the budget holds");
        Assert.AreEqual(4, variable.Calls, "200 rows, 50 a call");
        AreIdentical(known.Features, variable.Features);
    }

    [TestMethod]
    public void VariableSizeRowsLongerThanTheStepBudgetGoFourToACallLikeTheirKnownSizeTwin()
    {
        // 20,000 steps of 16 units: 2.5 rows fill the budget of 50,000 steps, and a batch takes at least 4.
        const int LongSteps = 20_000;

        var (known, variable) = KnownAndVariableSize(rows: 6, LongSteps, seed: 20);

        Assert.AreEqual(4 * LongSteps, known.LargestCallSteps);
        Assert.AreEqual(4 * LongSteps, variable.LargestCallSteps);
        Assert.AreEqual(2, variable.Calls, "6 rows: 4, then 2");
        AreIdentical(known.Features, variable.Features);
    }

    /// <summary>Cursors that each read two rows' features and are never disposed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonCursors(IDataView output, int count)
    {
        VBuffer<float> features = default;
        for (int i = 0; i < count; i++)
        {
            var cursor = output.GetRowCursor(output.Schema);
            var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
            cursor.MoveNext();
            getter(ref features);
            cursor.MoveNext();
            getter(ref features);
        }
    }

    /// <summary>
    /// Four engines from the default overload (each owns, and disposes, the one loaded transformer)
    /// on four threads: engine i makes 40 × (i + 1) predictions and is then disposed while the later ones go on.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Exception[] PredictOnFourEnginesDisposedInTurn(MLContext mlContext, ITransformer loaded, List<SequenceRow> rows, float[][] expected)
    {
        var engines = Enumerable.Range(0, 4)
            .Select(_ => mlContext.Model.CreatePredictionEngine<SequenceRow, FeaturesRow>(loaded, inputSchemaDefinition: EngineSchema()))
            .ToArray();
        var errors = new ConcurrentQueue<Exception>();
        var threads = engines.Select((engine, i) => new Thread(() =>
        {
            try
            {
                for (int prediction = 0; prediction < rows.Count * (i + 1); prediction++)
                {
                    int row = prediction % rows.Count;
                    CollectionAssert.AreEqual(expected[row], engine.Predict(rows[row]).Features, $"engine {i}, row {row}");
                }
                engine.Dispose();
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToArray();
        StartAndJoin(threads);
        return [.. errors];
    }

    private static SchemaDefinition EngineSchema()
    {
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        return schema;
    }

    private static void FullGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static float[][] Reference(MLContext mlContext, IDataView data, LstmModel model, LstmFeaturizerOptions options)
    {
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, options).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }

    /// <summary>Every row's features; the transformer is disposed after row <paramref name="disposeAfterRow"/> (1-based) when it is positive.</summary>
    private static float[][] ReadAll(DataViewRowCursor cursor, int disposeAfterRow, LstmFeaturizerTransformer transformer)
    {
        using (cursor)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Features"]);
            var rows = new List<float[]>();
            VBuffer<float> features = default;
            while (cursor.MoveNext())
            {
                getter(ref features);
                rows.Add(features.DenseValues().ToArray());
                if (rows.Count == disposeAfterRow)
                {
                    transformer.Dispose();
                }
            }
            return [.. rows];
        }
    }

    private static void AreIdentical(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int row = 0; row < expected.Length; row++)
        {
            CollectionAssert.AreEqual(expected[row], actual[row], $"row {row}");
        }
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>The same random sequences featurized from a known-size and from a variable-size column.</summary>
    private static (Featurized Known, Featurized Variable) KnownAndVariableSize(int rows, int steps, int seed)
    {
        var mlContext = new MLContext(seed: 1);
        var sequences = TestData.Random(rows, steps, 2, seed);
        var knownSize = TestData.Sequences(mlContext, sequences);
        var variableSize = mlContext.Data.LoadFromEnumerable(sequences.Select(s => new SequenceRow { Sequence = [.. s.SelectMany(step => step)] }));
        return (Featurize(mlContext, knownSize), Featurize(mlContext, variableSize));
    }

    private static Featurized Featurize(MLContext mlContext, IDataView data)
    {
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model).Fit(data);
        var features = TestData.Features(transformer.Transform(data));
        return new Featurized(features, transformer.LargestOnnxRuntimeCallSteps, transformer.OnnxRuntimeCalls);
    }

    private sealed record Featurized(float[][] Features, long LargestCallSteps, long Calls);

    private static void StartAndJoin(Thread[] threads)
    {
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
