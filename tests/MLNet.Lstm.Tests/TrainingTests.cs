using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>The featurizer trains its LSTM inside Fit: PyTorch's result reproduced, and real learning.</summary>
[TestClass]
public sealed class TrainingTests
{
    [TestMethod]
    [DataRow("train_classify")]
    [DataRow("train_next_step")]
    public void TrainingFromPyTorchsInitialModelEndsAtPyTorchsTrainedModel(string fixtureName)
    {
        var fixture = TrainingFixture.Load(fixtureName);
        var mlContext = new MLContext(seed: 1);
        var data = FixtureData(mlContext, fixture);
        var training = new LstmTrainingOptions
        {
            Objective = fixture.Objective,
            LabelColumnName = fixture.Objective == LstmObjective.Classification ? "Label" : null,
            InitialModel = LstmModel.FromOnnx(fixture.InitialOnnx),
            Epochs = fixture.Epochs,
            BatchSize = fixture.BatchSize,
            LearningRate = fixture.LearningRate,
            GradientClipNorm = null,
            Shuffle = false,
            ValidationFraction = 0,
            EarlyStoppingPatience = null,
        };

        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(data);
        using var head = mlContext.Transforms.LstmFeaturizeSequence(transformer.Model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput, OutputColumnName = "Output" }).Fit(data);

        Assertions.AreClose(fixture.LastHidden, TestData.Features(transformer.Transform(data)), 1e-3);
        Assertions.AreClose(fixture.Output, TestData.Features(head.Transform(data), "Output"), 1e-3);
    }

    [TestMethod]
    public void TrainedFeaturizerLearnsALongRangeDependencyThatARandomOneCannot()
    {
        const int Steps = 50;
        var mlContext = new MLContext(seed: 1);
        var train = FirstStepSign(mlContext, 600, Steps, seed: 1);
        var test = FirstStepSign(mlContext, 300, Steps, seed: 2);
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = "Label",
            HiddenSize = 16,
            Epochs = 20,
            LearningRate = 1e-2f,
            // A forget gate starting near σ(3) = 0.95 keeps the first step's trace alive for 50
            // steps, so its gradient is large enough to learn from (see ForgetGateBias).
            ForgetGateBias = 3f,
            Seed = 1,
        };

        double trained = Accuracy(mlContext, mlContext.Transforms.LstmFeaturizeSequence(training), train, test);
        double random = Accuracy(mlContext, mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 1)), train, test);

        // Measured 2026-11-24: trained 1.000, random 0.437.
        Console.WriteLine($"trained {trained:F3}, random {random:F3}");
        Assert.IsGreaterThanOrEqualTo(0.95, trained);
        Assert.IsLessThanOrEqualTo(0.65, random);
    }

    private static double Accuracy(MLContext mlContext, LstmFeaturizerEstimator featurizer, IDataView train, IDataView test)
    {
        var pipeline = featurizer
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        using var model = pipeline.Fit(train);
        return mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
    }

    /// <summary>
    /// Noise sequences whose class is the sign of the first step alone: the answer has to be
    /// carried through every later step to the end, where the representation is read.
    /// </summary>
    private static IDataView FirstStepSign(MLContext mlContext, int count, int steps, int seed)
    {
        var random = new Random(seed);
        var rows = new List<LabelledRow>();
        for (int n = 0; n < count; n++)
        {
            bool positive = n % 2 == 0;
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                sequence[t] = (float)(random.NextDouble() * 2 - 1);
            }
            sequence[0] = positive ? 1f : -1f;
            rows.Add(new LabelledRow { Sequence = sequence, Label = positive ? 1u : 0u });
        }
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(LabelledRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        schema[nameof(LabelledRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), 2);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    internal static IDataView FixtureData(MLContext mlContext, TrainingFixture fixture)
    {
        int length = fixture.Input[0].Length * fixture.Input[0][0].Length;
        var rows = fixture.Input.Select((s, i) => new LabelledRow
        {
            Sequence = [.. s.SelectMany(step => step)],
            // LoadFromEnumerable stores a key column's value v as key v + 1 (0 stays for missing).
            Label = fixture.Labels.Length > 0 ? (uint)fixture.Labels[i] : 0,
        });
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(LabelledRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        schema[nameof(LabelledRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(fixture.Labels.DefaultIfEmpty(0).Max() + 1, 1));
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    internal sealed class LabelledRow
    {
        public float[] Sequence { get; set; } = [];

        public uint Label { get; set; }
    }
}
