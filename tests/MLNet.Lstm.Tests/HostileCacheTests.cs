using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Attacks on the output cache and the one featurizer cursor: rows of many lengths and NaN rows in
/// the filling pass, many threads finding rows by id at once, the transformer disposed in the
/// middle of the filling pass, empty data, and the row mapper's column needs.
/// </summary>
[TestClass]
public sealed class HostileCacheTests
{
    private static readonly LstmModel Model = LstmModel.CreateRandom(2, 8, numLayers: 2, seed: 11);

    [TestMethod]
    public void FillingPassOverRowsOfManyLengthsWithNaNRowsCachesEachRowsOwnValues()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.Cache(VariableRows(mlContext, rows: 300, seed: 3));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden }).Fit(data);
        var output = transformer.Transform(data);

        var first = TestData.Features(output);
        var filling = TestData.Features(output);
        long callsAfterFillingPass = transformer.OnnxRuntimeCalls;
        var cached = TestData.Features(output);

        var alone = RunAlone(mlContext, data);
        AreIdentical(alone, first);
        AreIdentical(alone, filling);
        AreIdentical(alone, cached);
        Assert.AreEqual(callsAfterFillingPass, transformer.OnnxRuntimeCalls);
        Assert.IsTrue(float.IsNaN(cached[7][0]), "row 7 holds a NaN step, so its representation is missing");
        Assert.IsFalse(float.IsNaN(cached[6][0]));
    }

    [TestMethod]
    public void EightThreadsReadingACompleteCacheShuffledAtOnceEachGetTheirRowsOwnValues()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.Cache(TestData.Sequences(mlContext, TestData.Random(200, 6, 2, seed: 4)));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { BatchSize = 16 }).Fit(data);
        var output = transformer.Transform(data);
        var expected = TestData.Features(output);
        TestData.Features(output);
        long callsBeforeThreads = transformer.OnnxRuntimeCalls;
        var reads = new (int[] Positions, float[][] Features)[8];

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => reads[i] = ReadShuffledWithSourcePositions(output, seed: i));

        Assert.AreEqual(callsBeforeThreads, transformer.OnnxRuntimeCalls, "every thread read the cache");
        foreach (var (positions, features) in reads)
        {
            CollectionAssert.AreNotEqual(Enumerable.Range(0, 200).ToArray(), positions);
            AreIdentical(positions.Select(p => expected[p]).ToArray(), features);
        }
    }

    [TestMethod]
    public void TransformerDisposedDuringTheFillingPassLetsThatPassFinishAndRefusesTheNext()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(64, 6, 2, seed: 5));
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { BatchSize = 8 }).Fit(data);
        var output = transformer.Transform(data);
        var expected = TestData.Features(output);
        var filled = new List<float[]>();

        using (var cursor = output.GetRowCursor(output.Schema))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
            VBuffer<float> values = default;
            while (cursor.MoveNext())
            {
                if (cursor.Position == 10)
                {
                    transformer.Dispose();
                }
                getter(ref values);
                filled.Add(values.DenseValues().ToArray());
            }
        }

        AreIdentical(expected, filled);
        Assert.IsTrue(transformer.SessionReleased);
        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => TestData.Features(output));
        Assert.AreEqual("This LstmFeaturizerTransformer has been disposed, so it cannot start a new cursor or PredictionEngine; those started before Dispose run to their end. " +
            "Keep the transformer (or the model that holds it) until its last cursor or PredictionEngine has been created.", e.Message);
    }

    [TestMethod]
    public void EmptyDataGivesNoRowsOnTheFirstFillingAndCachedPasses()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, new List<SequenceRow>(), 12);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model).Fit(data);
        var output = transformer.Transform(data);

        var passes = Enumerable.Range(0, 3).Select(_ => TestData.Features(output).Length).ToArray();

        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, passes);
        Assert.AreEqual(0, transformer.OnnxRuntimeCalls);
    }

    [TestMethod]
    public void RowMapperReadingTheRepresentationNeedsTheSequenceAndLengthColumnsAndNothingElse()
    {
        var mlContext = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(PaddedRow));
        schema[nameof(PaddedRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new PaddedRow { Sequence = new float[12], Length = 3 } }, schema);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model, new LstmFeaturizerOptions { SequenceLengthColumnName = "Length" }).Fit(data);
        var mapper = transformer.GetRowToRowMapper(data.Schema);

        var forFeatures = mapper.GetDependencies([mapper.OutputSchema["Features"]]).Select(c => c.Name).ToArray();
        var forLength = mapper.GetDependencies([mapper.OutputSchema["Length"]]).Select(c => c.Name).ToArray();

        CollectionAssert.AreEqual(new[] { "Sequence", "Length" }, forFeatures);
        CollectionAssert.AreEqual(new[] { "Length" }, forLength);
    }

    /// <summary>Rows of 1 to 9 steps of 2 features; row 7 holds a NaN step.</summary>
    private static IDataView VariableRows(MLContext mlContext, int rows, int seed)
    {
        var random = new Random(seed);
        var list = new List<VariableRow>();
        for (int r = 0; r < rows; r++)
        {
            var values = new float[(1 + random.Next(9)) * 2];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(random.NextDouble() * 2 - 1);
            }
            if (r == 7)
            {
                values[^1] = float.NaN;
            }
            list.Add(new VariableRow { Sequence = values });
        }
        return mlContext.Data.LoadFromEnumerable(list);
    }

    /// <summary>Each row featurized in a batch of its own, without a cache.</summary>
    private static float[][] RunAlone(MLContext mlContext, IDataView data)
    {
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden, BatchSize = 1, OutputCacheBytes = 0 }).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }

    /// <summary>A shuffled pass: each row's position in the unshuffled source (its row id) and its features.</summary>
    private static (int[] Positions, float[][] Features) ReadShuffledWithSourcePositions(IDataView output, int seed)
    {
        var positions = new List<int>();
        var features = new List<float[]>();
        using var cursor = output.GetRowCursor([output.Schema["Features"]], new Random(seed));
        var id = cursor.GetIdGetter();
        var values = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
        DataViewRowId rowId = default;
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            values(ref row);
            positions.Add((int)rowId.Low);
            features.Add(row.DenseValues().ToArray());
        }
        return ([.. positions], [.. features]);
    }

    private static void AreIdentical(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        for (int row = 0; row < expected.Count; row++)
        {
            CollectionAssert.AreEqual(expected[row], actual[row], $"row {row}");
        }
    }

    private sealed class VariableRow
    {
        public float[] Sequence { get; set; } = [];
    }

    private sealed class PaddedRow
    {
        public float[] Sequence { get; set; } = [];

        public int Length { get; set; }
    }
}
