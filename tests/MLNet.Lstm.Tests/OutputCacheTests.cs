using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The transformed view caches the featurizer's output once a second pass over the same input
/// begins, so a trainer that reads it many times runs the LSTM twice even without
/// AppendCacheCheckpoint, and a reader that makes one pass pays nothing for the cache.
/// </summary>
[TestClass]
public sealed class OutputCacheTests
{
    private const int RowCount = 50;
    private const int BatchSize = 8;
    private const int CallsPerPass = 7; // 50 rows in batches of 8
    private const int OutputSize = 8;   // 8 × 4 bytes of values + 40 bytes for the row id: 72 bytes a row

    private static readonly LstmModel Model = LstmModel.CreateRandom(2, OutputSize, numLayers: 2, seed: 5);

    [TestMethod]
    public void FirstPassRunsTheLstmAndSecondPassRunsItAgainToFillTheCache()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);

        var first = TestData.Features(output);
        long callsAfterFirstPass = transformer.OnnxRuntimeCalls;
        var second = TestData.Features(output);

        Assert.AreEqual(CallsPerPass, callsAfterFirstPass);
        Assert.AreEqual(2 * CallsPerPass, transformer.OnnxRuntimeCalls);
        AreIdentical(Uncached(mlContext, data), first);
        AreIdentical(first, second);
    }

    [TestMethod]
    public void ThirdPassReadsTheCacheWithoutCallingOnnxRuntimeAndGivesBitIdenticalValues()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        TestData.Features(output);
        TestData.Features(output);

        var third = TestData.Features(output);
        var fourth = TestData.Features(output);

        Assert.AreEqual(2 * CallsPerPass, transformer.OnnxRuntimeCalls);
        AreIdentical(Uncached(mlContext, data), third);
        AreIdentical(third, fourth);
    }

    [TestMethod]
    public void TransformsOfTheSameInputShareOneCache()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);

        TestData.Features(transformer.Transform(data));
        TestData.Features(transformer.Transform(data));
        long callsAfterTwoTransforms = transformer.OnnxRuntimeCalls;
        var third = TestData.Features(transformer.Transform(data));

        Assert.AreEqual(2 * CallsPerPass, callsAfterTwoTransforms);
        Assert.AreEqual(2 * CallsPerPass, transformer.OnnxRuntimeCalls, "the third Transform's pass reads the cache the second filled");
        AreIdentical(Uncached(mlContext, data), third);
    }

    [TestMethod]
    public void SdcaWithoutCacheCheckpointRunsTheLstmTwicePerRowAndTrainsTheSameModelAsWithIt()
    {
        var mlContext = new MLContext(seed: 1);
        var train = TestData.Sequences(mlContext, TestData.SineOrSquare(400, 24, seed: 1), 24);
        var test = TestData.Sequences(mlContext, TestData.SineOrSquare(200, 24, seed: 2), 24);
        var featurizer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 1),
            new LstmFeaturizerOptions { BatchSize = 32, Representation = LstmRepresentation.MaxHidden });
        // One thread and no shuffling: the data view before the featurizer cannot shuffle, ML.NET's cache can.
        var sdca = mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
            Shuffle = false,
            NumberOfThreads = 1,
        });

        using var withoutCheckpoint = featurizer.Append(sdca).Fit(train);
        using var withCheckpoint = featurizer.AppendCacheCheckpoint(mlContext).Append(sdca).Fit(train);

        Assert.AreEqual(2 * 13, withoutCheckpoint.OfType<LstmFeaturizerTransformer>().Single().OnnxRuntimeCalls, "400 rows in batches of 32: two passes");
        var trained = withoutCheckpoint.LastTransformer.Model.SubModel;
        var reference = withCheckpoint.LastTransformer.Model.SubModel;
        CollectionAssert.AreEqual(reference.Weights.ToArray(), trained.Weights.ToArray());
        Assert.AreEqual(reference.Bias, trained.Bias);
        var metrics = mlContext.BinaryClassification.Evaluate(withoutCheckpoint.Transform(test));
        var referenceMetrics = mlContext.BinaryClassification.Evaluate(withCheckpoint.Transform(test));
        Assert.AreEqual(referenceMetrics.Accuracy, metrics.Accuracy);
        Assert.AreEqual(referenceMetrics.AreaUnderRocCurve, metrics.AreaUnderRocCurve);
    }

    [TestMethod]
    public void OutputOverTheBudgetIsNotCachedAndOneWarningSaysSoWithItsSize()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = Warnings(mlContext);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data, outputCacheBytes: 1_000);
        var output = transformer.Transform(data);
        var expected = Uncached(mlContext, data);

        for (int pass = 0; pass < 4; pass++)
        {
            AreIdentical(expected, TestData.Features(output));
        }

        Assert.AreEqual(4 * CallsPerPass, transformer.OnnxRuntimeCalls);
        Assert.HasCount(1, warnings);
        Assert.AreEqual("The LSTM featurizer's output (50 rows × 72 bytes = 3,600 bytes) is larger than LstmFeaturizerOptions.OutputCacheBytes (1,000 bytes), " +
            "so it is not cached: every further pass over this data runs the LSTM again. If a trainer reads it (most make many passes), " +
            "append AppendCacheCheckpoint(mlContext) right after the featurizer, or raise OutputCacheBytes.", warnings[0]);
    }

    [TestMethod]
    public void OutputOfUncountedRowsStopsBeingCachedWhenItPassesTheBudget()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = Warnings(mlContext);
        var rows = Rows(seed: 1);
        // A plain IEnumerable, not a collection: the view cannot count its rows in advance.
        var data = TestData.Sequences(mlContext, rows.Select(r => r), rows[0].Sequence.Length);
        using var transformer = Featurizer(mlContext, data, outputCacheBytes: 1_000);
        var output = transformer.Transform(data);

        var first = TestData.Features(output);
        var second = TestData.Features(output);
        var third = TestData.Features(output);

        Assert.IsNull(data.GetRowCount());
        AreIdentical(Uncached(mlContext, data), first);
        AreIdentical(first, second);
        AreIdentical(first, third);
        Assert.AreEqual(3 * CallsPerPass, transformer.OnnxRuntimeCalls);
        Assert.HasCount(1, warnings);
        Assert.StartsWith("The LSTM featurizer's output (at least 14 rows × 72 bytes = 1,008 bytes) is larger than LstmFeaturizerOptions.OutputCacheBytes (1,000 bytes), ", warnings[0]);
    }

    [TestMethod]
    public void CursorAbandonedHalfWayIsNotAPassAndLeavesNoCache()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);

        ReadRows(output, 20);
        long callsAfterHalfPass = transformer.OnnxRuntimeCalls;
        var full = TestData.Features(output);
        var filling = TestData.Features(output);
        long callsAfterFillingPass = transformer.OnnxRuntimeCalls;
        var cached = TestData.Features(output);

        Assert.AreEqual(3, callsAfterHalfPass, "20 rows in batches of 8");
        Assert.AreEqual(3 + 2 * CallsPerPass, callsAfterFillingPass, "the half pass did not count: two full passes ran the LSTM");
        Assert.AreEqual(callsAfterFillingPass, transformer.OnnxRuntimeCalls);
        var expected = Uncached(mlContext, data);
        AreIdentical(expected, full);
        AreIdentical(expected, filling);
        AreIdentical(expected, cached);
    }

    [TestMethod]
    public void FillingCursorAbandonedHalfWayLeavesNoCacheAndTheNextFullPassFillsIt()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        TestData.Features(output);

        ReadRows(output, 20);
        var filling = TestData.Features(output);
        long callsAfterFillingPass = transformer.OnnxRuntimeCalls;
        var cached = TestData.Features(output);

        Assert.AreEqual(CallsPerPass + 3 + CallsPerPass, callsAfterFillingPass);
        Assert.AreEqual(callsAfterFillingPass, transformer.OnnxRuntimeCalls);
        var expected = Uncached(mlContext, data);
        AreIdentical(expected, filling);
        AreIdentical(expected, cached);
    }

    [TestMethod]
    public void ShuffledCursorGetsTheSourcesShuffledOrderAndEachRowsOwnValues()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.Cache(Data(mlContext)); // ML.NET's cache can shuffle
        using var transformer = Featurizer(mlContext, data);
        using var uncached = Featurizer(mlContext, data, outputCacheBytes: 0);
        var output = transformer.Transform(data);
        TestData.Features(output);
        var byId = TestData.Features(output);
        long callsAfterFillingPass = transformer.OnnxRuntimeCalls;

        var (ids, features) = ReadShuffled(output, seed: 7);
        var (uncachedIds, uncachedFeatures) = ReadShuffled(uncached.Transform(data), seed: 7);

        Assert.AreEqual(callsAfterFillingPass, transformer.OnnxRuntimeCalls);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, RowCount).ToArray(), ids, "the rows are shuffled");
        CollectionAssert.AreEqual(uncachedIds, ids);
        AreIdentical(uncachedFeatures, features);
        AreIdentical(ids.Select(id => byId[id]).ToArray(), features);
    }

    [TestMethod]
    public void ShuffledFillingPassFillsTheCacheForLaterPassesInAnyOrder()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.Cache(Data(mlContext));
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);

        ReadShuffled(output, seed: 3);
        ReadShuffled(output, seed: 4);
        var unshuffled = TestData.Features(output);
        var (ids, shuffled) = ReadShuffled(output, seed: 5);

        Assert.AreEqual(2 * CallsPerPass, transformer.OnnxRuntimeCalls);
        var expected = Uncached(mlContext, data);
        AreIdentical(expected, unshuffled);
        AreIdentical(ids.Select(id => expected[id]).ToArray(), shuffled);
    }

    [TestMethod]
    public void EightThreadsStartingTheFirstPassTogetherGetTheUncachedValuesAndTwoMorePassesCompleteTheCache()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        var results = new float[8][][];

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = TestData.Features(output));
        TestData.Features(output);
        TestData.Features(output);
        long callsAfterTwoMorePasses = transformer.OnnxRuntimeCalls;
        var after = TestData.Features(output);

        var expected = Uncached(mlContext, data);
        foreach (var result in results)
        {
            AreIdentical(expected, result);
        }
        AreIdentical(expected, after);
        Assert.AreEqual(callsAfterTwoMorePasses, transformer.OnnxRuntimeCalls, "a pass after the threads filled the cache, so this one reads it");
    }

    [TestMethod]
    public void ZeroBudgetTurnsTheCacheOffWithoutAWarning()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = Warnings(mlContext);
        var data = Data(mlContext);
        using var transformer = Featurizer(mlContext, data, outputCacheBytes: 0);
        var output = transformer.Transform(data);

        TestData.Features(output);
        long callsAfterFirstPass = transformer.OnnxRuntimeCalls;
        TestData.Features(output);
        TestData.Features(output);

        Assert.AreEqual(CallsPerPass, callsAfterFirstPass);
        Assert.AreEqual(3 * CallsPerPass, transformer.OnnxRuntimeCalls);
        Assert.IsEmpty(warnings);
    }

    [TestMethod]
    public void DefaultBudgetIs256MB()
    {
        Assert.AreEqual(256L * 1024 * 1024, new LstmFeaturizerOptions().OutputCacheBytes);
    }

    [TestMethod]
    public void NegativeBudgetIsRefused()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(Model,
            new LstmFeaturizerOptions { OutputCacheBytes = -1 }));

        Assert.AreEqual("LstmFeaturizerOptions.OutputCacheBytes: expected 0 (no cache) or a positive number of bytes, found -1. (Parameter 'OutputCacheBytes')", e.Message);
    }

    [TestMethod]
    public void RowsSharingARowIdAreReadFromTheCacheInTheirOwnOrder()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = Warnings(mlContext);
        var data = new RowIdView(Data(mlContext), (_, id) => new DataViewRowId(id.Low / 2, 0));
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        TestData.Features(output);
        TestData.Features(output);

        var cached = TestData.Features(output);

        Assert.AreEqual(2 * CallsPerPass, transformer.OnnxRuntimeCalls);
        AreIdentical(Uncached(mlContext, data), cached);
        Assert.IsEmpty(warnings);
    }

    [TestMethod]
    public void RowsSharingARowIdAreComputedWhenShuffledAndOneWarningSaysWhy()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = Warnings(mlContext);
        var data = new RowIdView(mlContext.Data.Cache(Data(mlContext)), (_, id) => new DataViewRowId(id.Low / 2, 0));
        using var transformer = Featurizer(mlContext, data);
        using var uncached = Featurizer(mlContext, data, outputCacheBytes: 0);
        var output = transformer.Transform(data);
        TestData.Features(output);
        TestData.Features(output);

        var (_, first) = ReadShuffled(output, seed: 7);
        var (_, second) = ReadShuffled(output, seed: 7);
        var (_, expected) = ReadShuffled(uncached.Transform(data), seed: 7);

        Assert.AreEqual(4 * CallsPerPass, transformer.OnnxRuntimeCalls, "two passes before the cache was complete, then the shuffled ones ran the LSTM");
        AreIdentical(expected, first);
        AreIdentical(expected, second);
        Assert.HasCount(1, warnings);
        Assert.AreEqual("Two rows of this data have the same row id, so the LSTM featurizer's output cannot be cached by row: every further pass over this data runs the LSTM again. " +
            "If a trainer reads it (most make many passes), append AppendCacheCheckpoint(mlContext) right after the featurizer.", warnings[0]);
    }

    [TestMethod]
    public void RowTheFillingPassDidNotGiveIsRefusedWithItsIndex()
    {
        var mlContext = new MLContext(seed: 1);
        // From the third cursoring on (the second is the filling pass), row 4 has another id.
        var data = new RowIdView(Data(mlContext), (cursoring, id) => cursoring >= 2 && id.Low == 4 ? new DataViewRowId(1_000, 0) : id);
        using var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        TestData.Features(output);
        TestData.Features(output);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Features(output));

        Assert.AreEqual("Row 4: its row id was not among the rows of the pass over this data whose LSTM output was cached; expected the data to give the same rows on every pass. " +
            "Set LstmFeaturizerOptions.OutputCacheBytes = 0 for data that changes between passes.", e.Message);
    }

    [TestMethod]
    public void CachedViewOfADisposedTransformerThrowsObjectDisposedException()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Data(mlContext);
        var transformer = Featurizer(mlContext, data);
        var output = transformer.Transform(data);
        TestData.Features(output);
        TestData.Features(output);

        transformer.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => TestData.Features(output));
    }

    private static List<SequenceRow> Rows(int seed) =>
        [.. TestData.Random(RowCount, steps: 5, features: 2, seed).Select((s, i) => new SequenceRow { Sequence = [.. s.SelectMany(step => step)], Id = i })];

    private static IDataView Data(MLContext mlContext) => TestData.Sequences(mlContext, Rows(seed: 1), 10);

    private static LstmFeaturizerTransformer Featurizer(MLContext mlContext, IDataView data, long? outputCacheBytes = null)
    {
        var options = new LstmFeaturizerOptions { BatchSize = BatchSize, Representation = LstmRepresentation.MaxHidden };
        options.OutputCacheBytes = outputCacheBytes ?? options.OutputCacheBytes;
        return mlContext.Transforms.LstmFeaturizeSequence(Model, options).Fit(data);
    }

    private static float[][] Uncached(MLContext mlContext, IDataView data)
    {
        using var transformer = Featurizer(mlContext, data, outputCacheBytes: 0);
        return TestData.Features(transformer.Transform(data));
    }

    /// <summary>Reads the first <paramref name="rows"/> rows' features, then disposes the cursor.</summary>
    private static void ReadRows(IDataView output, int rows)
    {
        using var cursor = output.GetRowCursor(output.Schema);
        for (int row = 0; row < rows; row++)
        {
            cursor.MoveNext();
        }
    }

    private static (int[] Ids, float[][] Features) ReadShuffled(IDataView output, int seed)
    {
        var ids = new List<int>();
        var features = new List<float[]>();
        using var cursor = output.GetRowCursor([output.Schema["Id"], output.Schema["Features"]], new Random(seed));
        var id = cursor.GetGetter<int>(output.Schema["Id"]);
        var values = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
        int rowId = 0;
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            values(ref row);
            ids.Add(rowId);
            features.Add(row.DenseValues().ToArray());
        }
        return ([.. ids], [.. features]);
    }

    private static List<string> Warnings(MLContext mlContext)
    {
        var warnings = new List<string>();
        mlContext.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(e.RawMessage);
                }
            }
        };
        return warnings;
    }

    private static void AreIdentical(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        for (int row = 0; row < expected.Count; row++)
        {
            CollectionAssert.AreEqual(expected[row], actual[row], $"row {row}");
        }
    }
}
