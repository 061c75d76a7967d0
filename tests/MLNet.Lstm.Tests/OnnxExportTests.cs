using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// ML.NET's ConvertToOnnx on pipelines holding the featurizer: one ONNX model, featurizer
/// included, that ONNX Runtime alone runs to the pipeline's numbers within 1e-5; and a loud
/// failure where the featurizer cannot be expressed, never a model without it.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private const double Tolerance = 1e-5;
    private const int Steps = 40;

    private static (MLContext MLContext, IDataView Data, List<SequenceRow> Rows) SineOrSquare(int rows = 200)
    {
        var mlContext = new MLContext(seed: 1);
        var list = TestData.SineOrSquare(rows, Steps, seed: 3);
        return (mlContext, TestData.Sequences(mlContext, list, Steps), list);
    }

    private static byte[] Export(MLContext mlContext, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        mlContext.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Runs the exported model with ONNX Runtime alone: the sequences (and any other inputs it asks for), one output.</summary>
    private static float[][] RunExported(byte[] onnx, IReadOnlyList<SequenceRow> rows, string output, Func<string, NamedOnnxValue?>? other = null)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, meta) in session.InputMetadata)
        {
            if (name == "Sequence")
            {
                var tensor = new DenseTensor<float>([rows.Count, Steps]);
                for (int r = 0; r < rows.Count; r++)
                {
                    for (int t = 0; t < Steps; t++)
                    {
                        tensor[r, t] = rows[r].Sequence[t];
                    }
                }
                inputs.Add(NamedOnnxValue.CreateFromTensor(name, tensor));
            }
            else if (other?.Invoke(name) is { } value)
            {
                inputs.Add(value);
            }
            else
            {
                // Columns the pipeline carries but does not use (Label, Id) are inputs too; their values do not matter.
                inputs.Add(meta.ElementDataType switch
                {
                    TensorElementType.Bool => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>([rows.Count, 1])),
                    TensorElementType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>([rows.Count, 1])),
                    _ => throw new AssertFailedException($"unexpected input {name} of {meta.ElementDataType}"),
                });
            }
        }
        using var results = session.Run(inputs, [output]);
        var values = results[0].AsTensor<float>();
        int width = (int)(values.Length / rows.Count);
        return [.. Enumerable.Range(0, rows.Count).Select(r => Enumerable.Range(0, width).Select(c => values.GetValue(r * width + c)).ToArray())];
    }

    private static float[][] Column(IDataView data, string column) =>
        data.Schema[column].Type is VectorDataViewType
            ? [.. data.GetColumn<float[]>(column)]
            : [.. data.GetColumn<float>(column).Select(v => new[] { v })];

    [TestMethod]
    public void AnExportedBinaryPipelineGivesThePipelinesProbabilitiesInOnnxRuntime()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 2))
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Features"))
            .Fit(data);

        var exported = RunExported(Export(mlContext, model, data), rows, "Probability.output");

        Assertions.AreClose(Column(model.Transform(data), "Probability"), exported, Tolerance);
    }

    [TestMethod]
    public void AnExportedPipelineHoldsTheFeaturizerItsInputIsTheSequenceNotTheFeatures()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 2))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Features"))
            .Fit(data);

        using var session = new InferenceSession(Export(mlContext, model, data));

        CollectionAssert.AreEquivalent(new[] { "Sequence", "Label", "Id" }, session.InputMetadata.Keys.ToArray());
        CollectionAssert.AreEqual(new[] { -1, Steps }, session.InputMetadata["Sequence"].Dimensions);
        Assertions.AreClose(Column(model.Transform(data), "Features"), RunExported(Export(mlContext, model, data), rows, "Features.output"), Tolerance);
    }

    [TestMethod]
    public void AnExportedMulticlassPipelineWithAKeyLabelGivesThePipelinesScores()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var labelled = mlContext.Transforms.Conversion.ConvertType("LabelText", "Label", DataKind.String).Fit(data).Transform(data);
        var model = mlContext.Transforms.Conversion.MapValueToKey("Key", "LabelText")
            .Append(mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 2)))
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", "Features"))
            .Fit(labelled);

        // The label's text column is a graph input of the exported model (MapValueToKey is in it); any text does.
        var exported = RunExported(Export(mlContext, model, labelled), rows, "Score.output",
            name => name == "LabelText" ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(Enumerable.Repeat("True", rows.Count).ToArray(), [rows.Count, 1])) : null);

        Assertions.AreClose(Column(model.Transform(labelled), "Score"), exported, Tolerance);
    }

    [TestMethod]
    public void AnExportedLightGbmPipelineGivesThePipelinesScores()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 2))
            .Append(mlContext.BinaryClassification.Trainers.LightGbm("Label", "Features", numberOfLeaves: 4, numberOfIterations: 20))
            .Fit(data);

        var exported = RunExported(Export(mlContext, model, data), rows, "Score.output");

        Assertions.AreClose(Column(model.Transform(data), "Score"), exported, Tolerance);
    }

    [TestMethod]
    public void AnExportedTrainedFeaturizerKeepsItsScalingAndPooling()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(
                new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", HiddenSize = 8, Epochs = 2, MaxSteps = 16, EnsembleSize = 1 })
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Features"))
            .Fit(data);
        var weights = ((LstmFeaturizerTransformer)((IEnumerable<ITransformer>)model).First()).Model.GetWeights();
        Assert.AreEqual(3, weights.PoolingStride, $"40 steps down to at most 16: stride 3, found {weights.PoolingStride}");
        Assert.IsNotNull(weights.InputScale);

        var exported = RunExported(Export(mlContext, model, data), rows, "Probability.output");

        Assertions.AreClose(Column(model.Transform(data), "Probability"), exported, Tolerance);
    }

    [TestMethod]
    public void AnExportedPyTorchGraphGivesItsModelOutput()
    {
        var fixture = PyTorchFixture.Load("seed_lstm");
        var mlContext = new MLContext(seed: 1);
        var rows = fixture.Input.Select((s, i) => new SequenceRow { Sequence = [.. s.SelectMany(step => step)], Id = i }).ToList();
        int steps = fixture.Input[0].Length;
        var data = TestData.Sequences(mlContext, rows, steps);
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(fixture.OnnxPath),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);

        using var stream = new MemoryStream();
        mlContext.Model.ConvertToOnnx(model, data, stream);
        using var session = new InferenceSession(stream.ToArray());
        var tensor = new DenseTensor<float>(rows.SelectMany(r => r.Sequence).ToArray(), [rows.Count, steps]);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("Sequence", tensor) };
        inputs.AddRange(session.InputMetadata.Keys.Where(k => k != "Sequence").Select(k => k == "Label"
            ? NamedOnnxValue.CreateFromTensor(k, new DenseTensor<bool>([rows.Count, 1]))
            : NamedOnnxValue.CreateFromTensor(k, new DenseTensor<int>([rows.Count, 1]))));
        using var results = session.Run(inputs, ["Features.output"]);
        var exported = results[0].AsTensor<float>().ToArray().Chunk(fixture.Expected(LstmRepresentation.ModelOutput)[0].Length).ToArray();

        Assertions.AreClose(fixture.Expected(LstmRepresentation.ModelOutput), exported, Tolerance);
    }

    [TestMethod]
    public void AVariableLengthColumnMakesTheExportFailNamingIt()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TestData.SineOrSquare(20, Steps, seed: 3));
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8)).Fit(data);

        var e = Assert.ThrowsExactly<NotSupportedException>(() => Export(mlContext, model, data));

        Assert.AreEqual("ONNX export of the LSTM featurizer: column 'Sequence' holds sequences of varying length (Vector<Single>). Nothing was exported; ML.NET's ONNX models take known-size vectors.", e.Message);
    }

    [TestMethod]
    public void ALengthColumnMakesTheExportFailNamingIt()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(20, Steps, seed: 3).Select(r => new PaddedRow { Sequence = r.Sequence, Length = 30 });
        var schema = SchemaDefinition.Create(typeof(PaddedRow));
        schema[nameof(PaddedRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8),
            new LstmFeaturizerOptions { SequenceLengthColumnName = "Length" }).Fit(data);

        var e = Assert.ThrowsExactly<NotSupportedException>(() => Export(mlContext, model, data));

        Assert.AreEqual("ONNX export of the LSTM featurizer: the sequences are padded, with their lengths in column 'Length'; an exported graph would read the padding as steps. Nothing was exported; export a pipeline whose sequences have one known length.", e.Message);
    }

    private sealed class PaddedRow
    {
        public float[] Sequence { get; set; } = [];

        public int Length { get; set; }
    }
}
