using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// A hostile user against the refactor: the Reconstruction objective at its edges, fine-tuning
/// a model whose head reads something the objective does not, and LstmWeights' copies.
/// </summary>
[TestClass]
public sealed class HostileRefactorTests
{
    private const int Steps = 12;

    private static LstmTrainingOptions Reconstruction() => new()
    {
        Objective = LstmObjective.Reconstruction,
        HiddenSize = 4,
        Epochs = 1,
        MaxSteps = null,
    };

    private static IDataView Windows(MLContext mlContext, int rows, int steps) =>
        TestData.Sequences(mlContext, TestData.SineWithSpikes(rows, steps, seed: 1, withAnomalies: false), steps);

    private static IDataView VariableSize(MLContext mlContext, List<SequenceRow> rows)
    {
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    [TestMethod]
    public void ReconstructionOfOneStepWindowsOutputsThatStep()
    {
        var mlContext = new MLContext(seed: 1);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Reconstruction(),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(Windows(mlContext, 8, 1));

        Assert.AreEqual(1, transformer.OutputSize);
    }

    [TestMethod]
    public void ReconstructionOfAVariableSizeColumnWhoseRowsShareOneLengthOutputsThatWindow()
    {
        var mlContext = new MLContext(seed: 1);
        var data = VariableSize(mlContext, TestData.SineWithSpikes(8, Steps, seed: 1, withAnomalies: false));

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Reconstruction(),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);

        Assert.AreEqual(Steps, transformer.OutputSize);
    }

    [TestMethod]
    public void ReconstructionPooledByAStrideThatDoesNotDivideTheWindowOutputsThePooledSteps()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Reconstruction();
        training.MaxSteps = 4;

        // 10 steps by at most 4: stride 3, steps 0–2, 3–5, 6–8 and 9 alone.
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(Windows(mlContext, 8, 10));

        Assert.AreEqual(3, transformer.Model.GetWeights().PoolingStride);
        Assert.AreEqual(4, transformer.OutputSize);
    }

    [TestMethod]
    public void ReconstructionRefusesARowHoldingNaN()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineWithSpikes(8, Steps, seed: 1, withAnomalies: false);
        rows[5].Sequence[3] = float.NaN;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            mlContext.Transforms.LstmFeaturizeSequence(Reconstruction()).Fit(TestData.Sequences(mlContext, rows, Steps)));

        Assert.AreEqual("LSTM training: row 5 holds NaN or infinity; replace missing values before training (e.g. ReplaceMissingValues).", e.Message);
    }

    [TestMethod]
    public void ReconstructionRefusesNextStepErrorWhenTheEstimatorIsBuilt()
    {
        var mlContext = new MLContext(seed: 1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(Reconstruction(),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }));

        Assert.AreEqual("LstmFeaturizerOptions.Representation: NextStepError needs a model trained with the NextStep objective; the Reconstruction objective does not train one. Expected LstmObjective.NextStep or another representation, found Reconstruction. (Parameter 'Representation')", e.Message);
    }

    [TestMethod]
    public void ReconstructionModelOutputIsTheSameAfterAModelZipRoundTrip()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Windows(mlContext, 8, Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Reconstruction(),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);
        var zip = new MemoryStream();
        mlContext.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;

        var reloaded = mlContext.Model.Load(zip, out _);

        Assertions.AreClose(TestData.Features(transformer.Transform(data)), TestData.Features(reloaded.Transform(data)), 0);
        (reloaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void FineTuningReconstructionFromAModelWithAnotherHeadSizeDrawsAWindowHead()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Reconstruction();
        training.InitialModel = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 3, seed: 2);

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(Windows(mlContext, 8, Steps));

        Assert.AreEqual(Steps, transformer.OutputSize);
        Assert.AreEqual(LstmHeadInput.LastStep, transformer.Model.GetWeights().HeadInput);
    }

    [TestMethod]
    public void FineTuningReconstructionFromAHeadOfTheWindowsSizeThatReadsLastMeanMaxDrawsALastStepHead()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Reconstruction();
        // A regression model that predicts a window of Steps values from LastMeanMax: its head has the right size, not the right input.
        training.InitialModel = LstmModel.FromWeights(new LstmWeights(inputSize: 1, hiddenSize: 4, outputSize: Steps) { HeadInput = LstmHeadInput.LastMeanMax });

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(Windows(mlContext, 8, Steps));

        Assert.AreEqual(Steps, transformer.OutputSize);
        Assert.AreEqual(LstmHeadInput.LastStep, transformer.Model.GetWeights().HeadInput);
    }

    [TestMethod]
    public void FineTuningNextStepFromAOneOutputHeadThatReadsLastMeanMaxDrawsALastStepHead()
    {
        var mlContext = new MLContext(seed: 1);
        // A univariate regression model (the default head reads LastMeanMax) has NextStep's output size, 1.
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.NextStep,
            Epochs = 1,
            InitialModel = LstmModel.FromWeights(new LstmWeights(inputSize: 1, hiddenSize: 4, outputSize: 1) { HeadInput = LstmHeadInput.LastMeanMax }),
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError }).Fit(Windows(mlContext, 8, Steps));

        Assert.AreEqual(LstmHeadInput.LastStep, transformer.Model.GetWeights().HeadInput);
    }

    [TestMethod]
    public void ReconstructionOfAWindowWhoseHeadWouldNotFitOneArrayIsRefusedWithTheWindowsSize()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Reconstruction();
        training.HiddenSize = 1200;
        // 1,800,000 steps × 1,200 hidden units: a head of 2,160,000,000 weights (6,480,000,000 for LastMeanMax), past the longest .NET array.
        const int steps = 1_800_000;
        var rows = Enumerable.Range(0, 4).Select(n => new SequenceRow { Sequence = new float[steps], Id = n });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.LstmFeaturizeSequence(training).Fit(TestData.Sequences(mlContext, rows, steps)));

        Assert.AreEqual("Column 'Sequence': the Reconstruction objective's head outputs 1800000 values per row; with HiddenSize 1200 expected at most 596523 (its weight, outputs × (3·directions·HiddenSize + the convolutional branch's last channels, times 3 with ConvHalves), must fit one .NET array of 2147483591 values). Lower HiddenSize, the last of ConvChannels or the outputs per row (for Reconstruction, MaxSteps or the rows' length), or turn ConvHalves off. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void LstmWeightsCopyOfNullIsRefusedByName()
    {
        var e = Assert.ThrowsExactly<ArgumentNullException>(() => new LstmWeights(null!));

        Assert.AreEqual("source", e.ParamName);
    }

    [TestMethod]
    public void ACursorDisposedTwiceDoesNotLendItsBatchToTwoCursors()
    {
        var mlContext = new MLContext(seed: 1);
        var first = Windows(mlContext, 8, Steps);
        var second = TestData.Sequences(mlContext, TestData.SineWithSpikes(8, Steps, seed: 2), Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, seed: 1)).Fit(first);
        var expected = TestData.Features(transformer.Transform(second));
        var firstView = transformer.Transform(first);
        var secondView = transformer.Transform(second);
        var twice = firstView.GetRowCursor(firstView.Schema);
        twice.Dispose();
        twice.Dispose();

        // Two cursors at once: had they one batch, the second would serve the first one's row 1 as its row 0.
        using var a = firstView.GetRowCursor(firstView.Schema);
        using var b = secondView.GetRowCursor(secondView.Schema);
        a.MoveNext();
        b.MoveNext();
        var features = default(VBuffer<float>);
        b.GetGetter<VBuffer<float>>(secondView.Schema["Features"])(ref features);

        CollectionAssert.AreEqual(expected[0], features.DenseValues().ToArray());
    }

    [TestMethod]
    public void AMappedRowDisposedTwiceDoesNotLendItsBatchToTwoRows()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineWithSpikes(2, Steps, seed: 2), Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, seed: 1)).Fit(data);
        var expected = TestData.Features(transformer.Transform(data));
        var mapper = transformer.GetRowToRowMapper(data.Schema);
        var features = mapper.OutputSchema["Features"];
        using var input = data.GetRowCursor(data.Schema);
        var twice = mapper.GetRow(input, [features]);
        twice.Dispose();
        twice.Dispose();
        using var rowCursor = data.GetRowCursor(data.Schema);
        rowCursor.MoveNext();
        input.MoveNext();
        input.MoveNext();
        using var row0 = mapper.GetRow(rowCursor, [features]);
        using var row1 = mapper.GetRow(input, [features]);
        var value = default(VBuffer<float>);
        var get0 = row0.GetGetter<VBuffer<float>>(features);
        get0(ref value);

        row1.GetGetter<VBuffer<float>>(features)(ref value);
        get0(ref value);

        CollectionAssert.AreEqual(expected[0], value.DenseValues().ToArray());
    }

    [TestMethod]
    public void ACachedPassOverASourceThatGrewRefusesTheFirstRowItNeverCached()
    {
        var mlContext = new MLContext(seed: 1);
        int passes = 0;
        // 10 rows, then 12 (the filling pass), then 14: the third pass finds rows 0–11 in the cache, not row 12.
        IEnumerable<SequenceRow> Growing()
        {
            int rows = 10 + 2 * passes++;
            return TestData.SineWithSpikes(rows, Steps, seed: 1, withAnomalies: false);
        }
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        var data = mlContext.Data.LoadFromEnumerable(new Reenumerated(Growing), schema);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, seed: 1)).Fit(data);
        var view = transformer.Transform(data);
        Assert.HasCount(10, TestData.Features(view));
        Assert.HasCount(12, TestData.Features(view));

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Features(view));

        Assert.AreEqual("Row 12: its row id was not among the rows of the pass over this data whose LSTM output was cached; expected the data to give the same rows on every pass. Set LstmFeaturizerOptions.OutputCacheBytes = 0 for data that changes between passes.", e.Message);
    }

    [TestMethod]
    public void FromWeightsRefusesACopyWhoseOffsetHasTheWrongLength()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4).GetWeights()) { InputOffset = [0f, 1f] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.InputOffset: expected 1 values (one per feature) or null, found 2. (Parameter 'InputOffset')", e.Message);
    }

    [TestMethod]
    public void FromWeightsRefusesACopyWhoseScaleHoldsNaN()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4).GetWeights()) { InputScale = [float.NaN] };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.InputScale: expected finite values, found NaN. (Parameter 'InputScale')", e.Message);
    }

    [TestMethod]
    public void FromWeightsRefusesACopyWithPoolingStrideZero()
    {
        var weights = new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4).GetWeights()) { PoolingStride = 0 };

        var e = Assert.ThrowsExactly<ArgumentException>(() => LstmModel.FromWeights(weights));

        Assert.AreEqual("LstmWeights.PoolingStride: expected at least 1, found 0. (Parameter 'PoolingStride')", e.Message);
    }

    [TestMethod]
    public void AnUndefinedHeadInputIsRefusedWhenTheCopyIsMade()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            new LstmWeights(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 4, outputSize: 2).GetWeights()) { HeadInput = (LstmHeadInput)7 });

        Assert.AreEqual("LstmWeights.HeadInput: expected LastStep or LastMeanMax, found 7. (Parameter 'HeadInput')", e.Message);
    }

    [TestMethod]
    public void AnEmptyTsFileIsRefused()
    {
        string path = Path.GetTempFileName();
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => TimeSeriesFile.Read(path));
            Assert.AreEqual(".ts file 'PATH': expected at least one data line, found none.", e.Message.Replace(path, "PATH"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ATsFileWithABomReadsAsWithout()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "@problemName x\n@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var file = TimeSeriesFile.Read(path);
            Assert.HasCount(2, file.Sequences);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ATsFileReachedThroughASymlinkReadsAsItsTargetAndADanglingOneIsMissing()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string target = Path.Combine(folder, "real.ts");
            File.WriteAllText(target, "@problemName x\n@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n");
            string link = Path.Combine(folder, "link.ts");
            File.CreateSymbolicLink(link, target);
            Assert.HasCount(2, TimeSeriesFile.Read(link).Sequences);
            File.Delete(target);
            var e = Assert.ThrowsExactly<FileNotFoundException>(() => TimeSeriesFile.Read(link));
            Assert.AreEqual(".ts file 'DIR/link.ts' does not exist.", e.Message.Replace(folder, "DIR"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ATsHeaderWithDimensionsPastInt32IsRefused()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            TimeSeriesFile.Read(new StringReader("@problemName x\n@dimensions 99999999999\n@classLabel true a b\n@data\n1,2,3:a\n"), "inline"));

        Assert.AreEqual(".ts file 'inline', line 2: @dimensions: expected a positive whole number, found '99999999999'.", e.Message);
    }

    /// <summary>An enumerable that calls <paramref name="rows"/> anew each time it is enumerated.</summary>
    private sealed class Reenumerated(Func<IEnumerable<SequenceRow>> rows) : IEnumerable<SequenceRow>
    {
        public IEnumerator<SequenceRow> GetEnumerator() => rows().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
