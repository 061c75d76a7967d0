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

    private static readonly string NodeCases = Path.Combine(
        System.Reflection.CustomAttributeExtensions.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>(typeof(OnnxExportTests).Assembly).Single(a => a.Key == "RepositoryRoot").Value!,
        "TestResults", "node-onnx");

    /// <summary>
    /// Runs the exported model with ONNX Runtime alone (the sequences, and any other input it asks
    /// for) and asserts its <paramref name="output"/> equals the pipeline's. Leaves the model, its
    /// inputs and the pipeline's values in TestResults/node-onnx/<paramref name="name"/> for the
    /// second runtime (.ci/run: tests/node/check.mjs in Node.js).
    /// </summary>
    private static void AssertExportEqualsPipeline(string name, byte[] onnx, IReadOnlyList<SequenceRow> rows, int steps, string output, float[][] pipeline,
        Func<string, (NamedOnnxValue Value, object Json)?>? other = null)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<NamedOnnxValue>();
        var json = new List<object>();
        foreach (var (input, meta) in session.InputMetadata)
        {
            if (input == "Sequence")
            {
                var data = rows.SelectMany(r => r.Sequence).ToArray();
                inputs.Add(NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(data, [rows.Count, steps])));
                json.Add(new { name = input, type = "float32", dims = new[] { rows.Count, steps }, data });
            }
            else if (other?.Invoke(input) is var (value, description))
            {
                inputs.Add(value);
                json.Add(description);
            }
            else
            {
                // Columns the pipeline carries but does not use (Label, Id) are inputs too; their values do not matter.
                var dims = new[] { rows.Count, 1 };
                (NamedOnnxValue, object) unused = meta.ElementDataType switch
                {
                    TensorElementType.Bool => (NamedOnnxValue.CreateFromTensor(input, new DenseTensor<bool>(dims)), new { name = input, type = "bool", dims, data = new int[rows.Count] }),
                    TensorElementType.Int32 => (NamedOnnxValue.CreateFromTensor(input, new DenseTensor<int>(dims)), new { name = input, type = "int32", dims, data = new int[rows.Count] }),
                    _ => throw new AssertFailedException($"unexpected input {input} of {meta.ElementDataType}"),
                };
                inputs.Add(unused.Item1);
                json.Add(unused.Item2);
            }
        }
        using var results = session.Run(inputs, [output]);
        var values = results[0].AsTensor<float>().ToArray();

        var folder = Path.Combine(NodeCases, name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        File.WriteAllText(Path.Combine(folder, "case.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            inputs = json,
            expected = new Dictionary<string, float[]> { [output] = [.. pipeline.SelectMany(r => r)] },
            tolerance = Tolerance,
        }));
        Assertions.AreClose(pipeline, [.. values.Chunk(values.Length / rows.Count)], Tolerance);
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

        AssertExportEqualsPipeline("binary-sdca", Export(mlContext, model, data), rows, Steps, "Probability.output", Column(model.Transform(data), "Probability"));
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
        AssertExportEqualsPipeline("features", Export(mlContext, model, data), rows, Steps, "Features.output", Column(model.Transform(data), "Features"));
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
        var text = Enumerable.Repeat("True", rows.Count).ToArray();
        AssertExportEqualsPipeline("multiclass-maximum-entropy", Export(mlContext, model, labelled), rows, Steps, "Score.output", Column(model.Transform(labelled), "Score"),
            name => name == "LabelText"
                ? (NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(text, [rows.Count, 1])), new { name, type = "string", dims = new[] { rows.Count, 1 }, data = text })
                : null);
    }

    [TestMethod]
    public void AnExportedLightGbmPipelineGivesThePipelinesScores()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 16, seed: 2))
            .Append(mlContext.BinaryClassification.Trainers.LightGbm("Label", "Features", numberOfLeaves: 4, numberOfIterations: 20))
            .Fit(data);

        AssertExportEqualsPipeline("binary-lightgbm", Export(mlContext, model, data), rows, Steps, "Score.output", Column(model.Transform(data), "Score"));
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

        AssertExportEqualsPipeline("trained-featurizer", Export(mlContext, model, data), rows, Steps, "Probability.output", Column(model.Transform(data), "Probability"));
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

        AssertExportEqualsPipeline("pytorch-seed-lstm", Export(mlContext, model, data), rows, steps, "Features.output", fixture.Expected(LstmRepresentation.ModelOutput));
    }

    [TestMethod]
    public void TwoFeaturizersInOnePipelineExportSideBySide()
    {
        var (mlContext, data, rows) = SineOrSquare();
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8, seed: 1), new LstmFeaturizerOptions { OutputColumnName = "A" })
            .Append(mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8, seed: 2), new LstmFeaturizerOptions { OutputColumnName = "B", Representation = LstmRepresentation.LastHidden }))
            .Append(mlContext.Transforms.Concatenate("Features", "A", "B"))
            .Fit(data);

        AssertExportEqualsPipeline("two-featurizers", Export(mlContext, model, data), rows, Steps, "Features.output", Column(model.Transform(data), "Features"));
    }

    [TestMethod]
    public void AFeaturizerReadingOneColumnPerFeatureExportsThem()
    {
        var mlContext = new MLContext(seed: 1);
        var random = TestData.Random(30, Steps, 2, seed: 4);
        var channels = random.Select(s => new TwoChannels { X = [.. s.Select(p => p[0])], Y = [.. s.Select(p => p[1])] }).ToList();
        var schema = SchemaDefinition.Create(typeof(TwoChannels));
        schema[nameof(TwoChannels.X)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        schema[nameof(TwoChannels.Y)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        var data = mlContext.Data.LoadFromEnumerable(channels, schema);
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 8, seed: 5),
            new LstmFeaturizerOptions { InputColumnNames = ["X", "Y"] }).Fit(data);
        (NamedOnnxValue, object) Channel(string name, Func<TwoChannels, float[]> pick)
        {
            var values = channels.SelectMany(pick).ToArray();
            var dims = new[] { channels.Count, Steps };
            return (NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(values, dims)), new { name, type = "float32", dims, data = values });
        }

        AssertExportEqualsPipeline("one-column-per-feature", Export(mlContext, model, data), [.. Enumerable.Range(0, channels.Count).Select(_ => new SequenceRow())], Steps,
            "Features.output", Column(model.Transform(data), "Features"),
            name => name switch { "X" => Channel(name, c => c.X), "Y" => Channel(name, c => c.Y), _ => null });
    }

    [TestMethod]
    public void AnOpsetBelowElevenMakesTheExportFail()
    {
        var (mlContext, data, _) = SineOrSquare(20);
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8)).Fit(data);
        using var stream = new MemoryStream();

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Model.ConvertToOnnx(model, data, 10, stream));

        Assert.AreEqual("Requested OpSet version 10 is lower than LstmFeaturizer's minimum OpSet version requirement: 11 (Parameter 'thisTransformerMinumumOpSetVersion')", e.Message);
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

    private sealed class TwoChannels
    {
        public float[] X { get; set; } = [];

        public float[] Y { get; set; } = [];
    }
}
