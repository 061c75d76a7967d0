using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// Hostile review of ONNX export, int8 precision and variable-length batching: every
/// representation exported, PyTorch graphs, odd column names, shadowing, NaN rows, a disposed
/// transformer, int8 edge weights, and variable-length batches checked against single rows.
/// </summary>
[TestClass]
public sealed class HostileExportTests
{
    private const double Tolerance = 1e-5;

    private static byte[] Export(MLContext mlContext, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        mlContext.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Runs <paramref name="onnx"/> in ONNX Runtime: the sequences into <paramref name="sequenceInput"/>, zeros into every other input.</summary>
    private static float[][] RunExported(byte[] onnx, string sequenceInput, float[][] sequences, string output)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<NamedOnnxValue>();
        int n = sequences.Length;
        foreach (var (input, meta) in session.InputMetadata)
        {
            if (input == sequenceInput)
            {
                inputs.Add(NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(sequences.SelectMany(s => s).ToArray(), [n, sequences[0].Length])));
            }
            else
            {
                inputs.Add(meta.ElementDataType switch
                {
                    TensorElementType.Bool => NamedOnnxValue.CreateFromTensor(input, new DenseTensor<bool>([n, 1])),
                    TensorElementType.Int32 => NamedOnnxValue.CreateFromTensor(input, new DenseTensor<int>([n, 1])),
                    TensorElementType.Float => NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>([n, 1])),
                    _ => throw new AssertFailedException($"unexpected input {input} of {meta.ElementDataType}"),
                });
            }
        }
        using var results = session.Run(inputs, [output]);
        var values = results[0].AsTensor<float>().ToArray();
        return [.. values.Chunk(values.Length / n)];
    }

    private static (MLContext MLContext, IDataView Data, float[][] Sequences) Random(int rows, int steps, int features, int seed = 4)
    {
        var mlContext = new MLContext(seed: 1);
        var sequences = TestData.Random(rows, steps, features, seed);
        return (mlContext, TestData.Sequences(mlContext, sequences), [.. sequences.Select(s => s.SelectMany(v => v).ToArray())]);
    }

    [TestMethod]
    [DataRow(LstmRepresentation.LastHidden)]
    [DataRow(LstmRepresentation.LastHiddenAllLayers)]
    [DataRow(LstmRepresentation.LastCell)]
    [DataRow(LstmRepresentation.MeanHidden)]
    [DataRow(LstmRepresentation.MaxHidden)]
    [DataRow(LstmRepresentation.LastMeanMax)]
    [DataRow(LstmRepresentation.ModelOutput)]
    public void EveryRepresentationOfABidirectionalThreeLayerModelExportsToThePipelinesNumbers(LstmRepresentation representation) =>
        AssertRepresentationExports(representation, bidirectional: true);

    [TestMethod]
    [DataRow(LstmRepresentation.LastHiddenAllLayers)]
    [DataRow(LstmRepresentation.LastMeanMax)]
    [DataRow(LstmRepresentation.NextStepError)]
    public void RepresentationsOfAOneDirectionalThreeLayerModelExportToThePipelinesNumbers(LstmRepresentation representation) =>
        AssertRepresentationExports(representation, bidirectional: false);

    private static void AssertRepresentationExports(LstmRepresentation representation, bool bidirectional)
    {
        var (mlContext, data, sequences) = Random(25, 12, 2);
        var model = LstmModel.CreateRandom(2, 6, numLayers: 3, outputSize: 2, bidirectional: bidirectional, seed: 7);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation }).Fit(data);
        var pipeline = TestData.Features(transformer.Transform(data));

        var exported = RunExported(Export(mlContext, transformer, data), "Sequence", sequences, "Features.output");

        Assertions.AreClose(pipeline, exported, Tolerance);
    }

    [TestMethod]
    [DataRow("multivariate_lstm")]
    [DataRow("variable_length_lstm")]
    public void APyTorchOpset14GraphExportsItsModelOutputToThePipelinesNumbers(string fixtureName)
    {
        var fixture = PyTorchFixture.Load(fixtureName);
        var mlContext = new MLContext(seed: 1);
        // variable_length_lstm's inputs are padded to different lengths: the export needs one, so random sequences of 9 steps.
        var sequences = TestData.Random(12, 9, fixture.InputSize, seed: 5);
        var data = TestData.Sequences(mlContext, sequences);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.FromOnnx(fixture.OnnxPath),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(data);
        var pipeline = TestData.Features(transformer.Transform(data));

        var exported = RunExported(Export(mlContext, transformer, data), "Sequence", [.. sequences.Select(s => s.SelectMany(v => v).ToArray())], "Features.output");

        Assert.HasCount(fixture.OutputSize, pipeline[0]);
        Assertions.AreClose(pipeline, exported, Tolerance);
    }

    [TestMethod]
    public void AnOutputColumnShadowingTheSequenceColumnExportsTheFeaturesUnderThatName()
    {
        var (mlContext, data, sequences) = Random(10, 8, 1);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2),
            new LstmFeaturizerOptions { OutputColumnName = "Sequence", InputColumnNames = ["Sequence"] }).Fit(data);
        var pipeline = TestData.Features(transformer.Transform(data), "Sequence");

        var exported = RunExported(Export(mlContext, transformer, data), "Sequence", sequences, "Sequence.output");

        Assertions.AreClose(pipeline, exported, Tolerance);
    }

    [TestMethod]
    public void AnInputColumnNamedWithSpacesDotsAndSlashesExports()
    {
        var (mlContext, data, sequences) = Random(10, 8, 1);
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 8);
        schema[nameof(SequenceRow.Sequence)].ColumnName = "my seq.v1/x";
        var renamed = mlContext.Data.LoadFromEnumerable(sequences.Select(s => new SequenceRow { Sequence = s }), schema);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2),
            new LstmFeaturizerOptions { InputColumnNames = ["my seq.v1/x"], OutputColumnName = "out put/1.x" }).Fit(renamed);
        var pipeline = TestData.Features(transformer.Transform(renamed), "out put/1.x");

        var exported = RunExported(Export(mlContext, transformer, renamed), "my seq.v1/x", sequences, "out put/1.x.output");

        Assertions.AreClose(pipeline, exported, Tolerance);
    }

    [TestMethod]
    public void ExportingTwiceFromOneTransformerGivesTheSameBytes()
    {
        var (mlContext, data, _) = Random(10, 8, 1);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2)).Fit(data);

        CollectionAssert.AreEqual(Export(mlContext, transformer, data), Export(mlContext, transformer, data));
    }

    [TestMethod]
    public void ADisposedTransformerStillExportsTheSameModelItNeedsNoSession()
    {
        var (mlContext, data, _) = Random(10, 8, 1);
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2)).Fit(data);
        var before = Export(mlContext, transformer, data);
        transformer.Dispose();

        var after = Export(mlContext, transformer, data);

        Assert.IsTrue(transformer.SessionReleased);
        CollectionAssert.AreEqual(before, after);
    }

    [TestMethod]
    public void ANaNOrInfiniteRowExportsAsAllNaNLikeThePipelineOtherRowsUnaffected()
    {
        var (mlContext, _, sequences) = Random(5, 8, 1);
        sequences[1][3] = float.NaN;
        sequences[4][7] = float.NegativeInfinity;
        var rows = sequences.Select((s, i) => new SequenceRow { Sequence = s, Id = i }).ToList();
        var data = TestData.Sequences(mlContext, rows, 8);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2)).Fit(data);
        var pipeline = TestData.Features(transformer.Transform(data));

        var exported = RunExported(Export(mlContext, transformer, data), "Sequence", sequences, "Features.output");

        Assertions.AreClose([pipeline[0], pipeline[2], pipeline[3]], [exported[0], exported[2], exported[3]], Tolerance);
        Assert.IsTrue(pipeline[1].Concat(pipeline[4]).All(float.IsNaN));
        Assert.IsTrue(exported[1].Concat(exported[4]).All(float.IsNaN), $"exported row 1: {string.Join(", ", exported[1])}");
    }

    [TestMethod]
    public void AFeaturizerWhoseOutputIsDroppedStillExports()
    {
        var (mlContext, data, sequences) = Random(10, 8, 1);
        var model = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4, seed: 2))
            .Append(mlContext.Transforms.CopyColumns("Kept", "Features"))
            .Append(mlContext.Transforms.DropColumns("Features"))
            .Fit(data);
        var pipeline = TestData.Features(model.Transform(data), "Kept");

        var exported = RunExported(Export(mlContext, model, data), "Sequence", sequences, "Kept.output");

        Assertions.AreClose(pipeline, exported, Tolerance);
    }
}
