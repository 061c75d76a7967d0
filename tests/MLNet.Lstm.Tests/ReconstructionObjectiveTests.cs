using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The Reconstruction objective, an autoencoder: the head reads the last step and gives back the
/// whole window, so a trained model reconstructs windows like its training rows and fails on others.
/// </summary>
[TestClass]
public sealed class ReconstructionObjectiveTests
{
    private const int Steps = 24, Hidden = 32;

    private static readonly Lazy<LstmModel> Trained = new(() =>
    {
        var mlContext = new MLContext(seed: 1);
        var normal = TestData.Sequences(mlContext, TestData.SineWithSpikes(300, Steps, seed: 1, withAnomalies: false), Steps);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(Options()).Fit(normal);
        return transformer.Model;
    });

    // Raw units and every step: the model's output is then directly comparable with its input.
    private static LstmTrainingOptions Options() => new()
    {
        Objective = LstmObjective.Reconstruction,
        HiddenSize = Hidden,
        Epochs = 40,
        Standardize = false,
        MaxSteps = null,
    };

    [TestMethod]
    public void TrainedReconstructionErrorIsFarBelowARandomModels()
    {
        var mlContext = new MLContext(seed: 1);
        var test = TestData.SineWithSpikes(200, Steps, seed: 2, withAnomalies: false);
        var random = LstmModel.CreateRandom(inputSize: 1, Hidden, outputSize: Steps, seed: 1);

        double trained = Errors(mlContext, Trained.Value, test).Average();
        double untrained = Errors(mlContext, random, test).Average();

        // Measured 0.0022 against 0.516 (the sines' own mean square is about 0.5): bounds at about twice and four fifths of them.
        Assert.IsLessThan(0.005, trained);
        Assert.IsGreaterThan(0.4, untrained);
    }

    [TestMethod]
    public void ModelOutputIsTheHeadAppliedToTheLastHiddenStateAndHoldsEveryStep()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineWithSpikes(5, Steps, seed: 3, withAnomalies: false), Steps);
        var weights = Trained.Value.GetWeights();

        var output = Representation(mlContext, Trained.Value, data, LstmRepresentation.ModelOutput);
        var last = Representation(mlContext, Trained.Value, data, LstmRepresentation.LastHidden);

        Assert.AreEqual(Steps, Trained.Value.OutputSize);
        for (int row = 0; row < output.Length; row++)
        {
            Assert.HasCount(Steps, output[row]);
            for (int o = 0; o < Steps; o++)
            {
                double expected = weights.HeadBias![o];
                for (int h = 0; h < Hidden; h++)
                {
                    expected += weights.HeadWeight![o * Hidden + h] * last[row][h];
                }
                Assert.AreEqual(expected, output[row][o], 1e-5);
            }
        }
    }

    [TestMethod]
    public void WindowsWithASpikeReconstructWorseThanNormalOnes()
    {
        var mlContext = new MLContext(seed: 1);
        var test = TestData.SineWithSpikes(200, Steps, seed: 4);

        var errors = Errors(mlContext, Trained.Value, test);
        var spiked = errors.Where((_, row) => test[row].Label).ToArray();
        var normal = errors.Where((_, row) => !test[row].Label).ToArray();

        // Measured: a spiked window's error 0.379 on average (0.233 at least), a normal one's 0.0023 (0.013 at most).
        Assert.IsGreaterThan(50 * normal.Average(), spiked.Average());
        Assert.IsGreaterThan(normal.Max(), spiked.Min());
    }

    [TestMethod]
    public void SequencesOfDifferentLengthsAreRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single);
        var rows = TestData.SineWithSpikes(8, Steps, seed: 5, withAnomalies: false);
        rows[6].Sequence = rows[6].Sequence[..20];
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.LstmFeaturizeSequence(Options()).Fit(data));

        Assert.AreEqual("Row 6 of column 'Sequence': the Reconstruction objective needs every sequence of one length; expected 24 steps (as row 0), found 20. Cut the series into windows of one length (CreateSlidingWindows). (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void LabelColumnIsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Options();
        training.LabelColumnName = "Label";

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual("LstmTrainingOptions.LabelColumnName: the Reconstruction objective reads no label: it reconstructs each row's own sequence; expected null, found 'Label'. (Parameter 'LabelColumnName')", e.Message);
    }

    [TestMethod]
    public void EnsembleSizeAboveOneIsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var training = Options();
        training.EnsembleSize = 2;

        var e = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.LstmFeaturizeSequence(training));

        Assert.AreEqual("LstmTrainingOptions.EnsembleSize: the Reconstruction objective trains one LSTM; expected null or 1, found 2. (Parameter 'EnsembleSize')", e.Message);
    }

    [TestMethod]
    public void BidirectionalReconstructionOutputsEveryStep()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.SineWithSpikes(40, Steps, seed: 6, withAnomalies: false), Steps);
        var training = Options();
        training.Bidirectional = true;
        training.HiddenSize = 8;
        training.Epochs = 2;

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);

        Assert.IsTrue(transformer.Model.Bidirectional);
        Assert.AreEqual(Steps, transformer.OutputSize);
    }

    /// <summary>Each row's mean squared difference between the model's output and its own sequence.</summary>
    private static double[] Errors(MLContext mlContext, LstmModel model, List<SequenceRow> rows)
    {
        var output = Representation(mlContext, model, TestData.Sequences(mlContext, rows, Steps), LstmRepresentation.ModelOutput);
        return [.. rows.Select((row, n) => row.Sequence.Zip(output[n], (x, y) => (double)(x - y) * (x - y)).Average())];
    }

    private static float[][] Representation(MLContext mlContext, LstmModel model, IDataView data, LstmRepresentation representation)
    {
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model,
            new LstmFeaturizerOptions { Representation = representation }).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }
}
