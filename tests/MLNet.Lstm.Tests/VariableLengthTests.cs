using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>Sequences of different lengths: each row's numbers equal running it alone, and rows are still batched.</summary>
[TestClass]
public sealed class VariableLengthTests
{
    private const double Tolerance = 1e-5;
    private static readonly PyTorchFixture Fixture = PyTorchFixture.Load("variable_length_lstm");

    public static IEnumerable<object[]> Representations => LstmRepresentations.WithReferences.Select(r => new object[] { r });

    [TestMethod]
    [DynamicData(nameof(Representations))]
    public void VariableSizeColumnMatchesPyTorchRunningEachSequenceAlone(LstmRepresentation representation)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Fixture.Input.Select(s => new SequenceRow { Sequence = [.. s.SelectMany(step => step)] }));

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath),
            new LstmFeaturizerOptions { Representation = representation }).Fit(data);

        Assertions.AreClose(Fixture.Expected(representation), TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    [DynamicData(nameof(Representations))]
    public void PaddedSequencesWithALengthColumnIgnoreThePadding(LstmRepresentation representation)
    {
        var mlContext = new MLContext(seed: 1);
        int maxSteps = Fixture.Input.Max(s => s.Length);
        var rows = Fixture.Input.Select(s => new PaddedRow
        {
            // The padding is a large value, so any step read past the length would show.
            Sequence = [.. s.SelectMany(step => step), .. Enumerable.Repeat(50f, (maxSteps - s.Length) * Fixture.InputSize)],
            Length = s.Length,
        });
        var schema = SchemaDefinition.Create(typeof(PaddedRow));
        schema[nameof(PaddedRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, maxSteps * Fixture.InputSize);
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath),
            new LstmFeaturizerOptions { Representation = representation, SequenceLengthColumnName = "Length" }).Fit(data);

        Assertions.AreClose(Fixture.Expected(representation), TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    public void OneVariableSizeColumnPerFeatureMatchesPyTorch()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Fixture.Input.Select(s => new TwoChannels
        {
            X = [.. s.Select(step => step[0])],
            Y = [.. s.Select(step => step[1])],
        }));

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath),
            new LstmFeaturizerOptions { InputColumnNames = ["X", "Y"], Representation = LstmRepresentation.LastHidden }).Fit(data);

        Assertions.AreClose(Fixture.Expected(LstmRepresentation.LastHidden), TestData.Features(transformer.Transform(data)), Tolerance);
    }

    [TestMethod]
    public void RowsOfDifferentLengthsRunOneOnnxRuntimeCallPerLengthInABatch()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Fixture.Input.Select(s => new SequenceRow { Sequence = [.. s.SelectMany(step => step)] }));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath)).Fit(data);

        TestData.Features(transformer.Transform(data));

        int distinctLengths = Fixture.Input.Select(s => s.Length).Distinct().Count();
        Assert.IsLessThan(Fixture.Input.Length, distinctLengths, "the fixture has repeated lengths");
        Assert.AreEqual(distinctLengths, transformer.OnnxRuntimeCalls);
    }

    [TestMethod]
    public void RowOfLengthZeroIsRefusedWithItsRowIndex()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new SequenceRow { Sequence = [1, 2] }, new SequenceRow { Sequence = [] } });
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath)).Fit(data);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Features(transformer.Transform(data)));

        Assert.AreEqual("Row 1 of column 'Sequence': expected T × 2 values (time-major, T ≥ 1), found 0.", e.Message);
    }

    [TestMethod]
    public void RowWhoseLengthIsNotAMultipleOfTheInputSizeIsRefusedWithItsRowIndex()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new SequenceRow { Sequence = [1, 2] }, new SequenceRow { Sequence = [1, 2, 3, 4] }, new SequenceRow { Sequence = [1, 2, 3] },
        });
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath)).Fit(data);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Features(transformer.Transform(data)));

        Assert.AreEqual("Row 2 of column 'Sequence': expected T × 2 values (time-major, T ≥ 1), found 3.", e.Message);
    }

    [TestMethod]
    public void LengthColumnValueOutsideTheVectorIsRefusedWithItsRowIndex()
    {
        var mlContext = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(PaddedRow));
        schema[nameof(PaddedRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new PaddedRow { Sequence = [1, 2, 3, 4], Length = 3 } }, schema);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath),
            new LstmFeaturizerOptions { SequenceLengthColumnName = "Length" }).Fit(data);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Features(transformer.Transform(data)));

        Assert.AreEqual("Row 0 of column 'Length': expected a whole number of steps from 1 to 2, found 3.", e.Message);
    }

    [TestMethod]
    public void LengthColumnThatIsNotNumericIsRefusedAtFit()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(2, 3, 2, seed: 1));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(Fixture.OnnxPath),
            new LstmFeaturizerOptions { SequenceLengthColumnName = "Sequence" });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.AreEqual("Sequence length column 'Sequence': expected a numeric scalar (the row's number of steps), found Vector<Single, 6>. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void RowsOfManyLengthsAreGroupedAcrossBudgetsAndEachCallStaysWithinOne()
    {
        // H 64: one budget is 800,000 / 64 = 12,500 steps. 3,000 rows of 100 or 101 steps
        // (301,500 steps, one batch of 64 budgets) make two groups of 1,500 rows, each run in
        // calls of 125 and 123 rows: 12 + 13 = 25 calls, none over the budget.
        var mlContext = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 3000).Select(i => new SequenceRow
        {
            Sequence = [.. Enumerable.Range(0, 100 + i % 2).Select(_ => (float)random.NextDouble())],
        });
        var data = mlContext.Data.LoadFromEnumerable(rows);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 64, seed: 1),
            new LstmFeaturizerOptions { OutputCacheBytes = 0 }).Fit(data);

        var features = TestData.Features(transformer.Transform(data));

        Assert.AreEqual(3000, features.Length);
        Assert.AreEqual(25L, transformer.OnnxRuntimeCalls);
        Assert.AreEqual(125L * 100, transformer.LargestOnnxRuntimeCallSteps);
    }

    private sealed class PaddedRow
    {
        public float[] Sequence { get; set; } = [];

        public int Length { get; set; }
    }

    private sealed class TwoChannels
    {
        public float[] X { get; set; } = [];

        public float[] Y { get; set; } = [];
    }
}
