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
