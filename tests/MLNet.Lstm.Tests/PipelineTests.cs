using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>The featurizer's output feeds ML.NET trainers, and behaves like an ML.NET transform.</summary>
[TestClass]
public sealed class PipelineTests
{
    private const int Steps = 24;

    [TestMethod]
    public void FeaturesTrainSdcaLogisticRegressionToSeparateSinesFromSquares()
    {
        var mlContext = new MLContext(seed: 1);
        var train = TestData.Sequences(mlContext, TestData.SineOrSquare(400, Steps, seed: 1), Steps);
        var test = TestData.Sequences(mlContext, TestData.SineOrSquare(200, Steps, seed: 2), Steps);
        var pipeline = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 32, seed: 1),
                new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden })
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));

        using var model = pipeline.Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));

        // Measured 0.94 on 2026-11-24; a random (untrained) LSTM, so well short of 1.
        Assert.IsGreaterThanOrEqualTo(0.9, metrics.Accuracy);
    }

    [TestMethod]
    public void FeaturesTrainRandomizedPcaToFlagSpikedSines()
    {
        var mlContext = new MLContext(seed: 1);
        var train = TestData.Sequences(mlContext, TestData.SineWithSpikes(400, Steps, seed: 3, withAnomalies: false), Steps);
        var test = TestData.Sequences(mlContext, TestData.SineWithSpikes(200, Steps, seed: 4), Steps);
        var pipeline = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 32, seed: 1),
                new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden })
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: "Features", rank: 4, seed: 1));

        using var model = pipeline.Fit(train);
        // The anomaly evaluator takes a Single label (1 = anomaly).
        var scored = mlContext.Transforms.Conversion.ConvertType("Anomaly", "Label", DataKind.Single).Fit(test).Transform(model.Transform(test));
        var metrics = mlContext.AnomalyDetection.Evaluate(scored, labelColumnName: "Anomaly");

        // Measured 0.987 on 2026-11-24.
        Assert.IsGreaterThanOrEqualTo(0.95, metrics.AreaUnderRocCurve);
    }

    [TestMethod]
    public void OutputIsAKnownSizeVectorAppendedAfterTheInputColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(3, 5, 2, seed: 1));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 7, numLayers: 2, bidirectional: true),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHiddenAllLayers }).Fit(data);

        var schema = transformer.GetOutputSchema(data.Schema);

        CollectionAssert.AreEqual(new[] { "Sequence", "Label", "Id", "Features" }, schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2 * 2 * 7), schema["Features"].Type);
        Assert.AreEqual(28, transformer.OutputSize);
    }

    [TestMethod]
    public void EstimatorSchemaShapeAppendsAVectorOfSingle()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(2, 5, 1, seed: 1));
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4));

        var shape = estimator.GetOutputSchema(TestData.Shape(data.Schema));

        var features = shape.Single(c => c.Name == "Features");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, features.Kind);
        Assert.AreEqual(NumberDataViewType.Single, features.ItemType);
        CollectionAssert.AreEquivalent(new[] { "Sequence", "Label", "Id", "Features" }, shape.Select(c => c.Name).ToArray());
    }

    [TestMethod]
    public void InputColumnsPassThroughUnchanged()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(37, 6, seed: 5);
        var data = TestData.Sequences(mlContext, rows, 6);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4),
            new LstmFeaturizerOptions { BatchSize = 8 }).Fit(data);

        var output = transformer.Transform(data);

        CollectionAssert.AreEqual(rows.Select(r => r.Id).ToArray(), output.GetColumn<int>("Id").ToArray());
        CollectionAssert.AreEqual(rows.Select(r => r.Label).ToArray(), output.GetColumn<bool>("Label").ToArray());
        var sequences = output.GetColumn<float[]>("Sequence").ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(rows[i].Sequence, sequences[i]);
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(1000)]
    public void BatchSizeDoesNotChangeAnyNumber(int batchSize)
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(50, 8, 2, seed: 3));
        var model = LstmModel.CreateRandom(2, 6, numLayers: 2, seed: 2);
        using var oneByOne = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { BatchSize = 1 }).Fit(data);
        using var batched = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { BatchSize = batchSize }).Fit(data);

        Assertions.AreClose(TestData.Features(oneByOne.Transform(data)), TestData.Features(batched.Transform(data)), 1e-6);
    }

    [TestMethod]
    public void PredictionEngineGivesTheTransformsNumbers()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = TestData.SineOrSquare(20, 10, seed: 6);
        var data = TestData.Sequences(mlContext, rows, 10);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 8, seed: 3)).Fit(data);
        var expected = TestData.Features(transformer.Transform(data));

        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 10);
        using var engine = mlContext.Model.CreatePredictionEngine<SequenceRow, FeaturesRow>(transformer, inputSchemaDefinition: schema);
        var actual = rows.Select(r => engine.Predict(r).Features).ToArray();

        Assertions.AreClose(expected, actual, 1e-6);
    }

    [TestMethod]
    public void SavedModelZipLoadsBackAndGivesTheSameNumbers()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(30, 6, 2, seed: 4));
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(2, 5, numLayers: 2, outputSize: 3, seed: 4),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput, OutputColumnName = "Head", BatchSize = 16 }).Fit(data);
        using var zip = new MemoryStream();
        mlContext.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;

        var loaded = mlContext.Model.Load(zip, out var schema);

        Assert.IsInstanceOfType<LstmFeaturizerTransformer>(loaded);
        var reloaded = (LstmFeaturizerTransformer)loaded;
        Assert.AreEqual(LstmRepresentation.ModelOutput, reloaded.Representation);
        Assert.AreEqual("Head", reloaded.OutputColumnName);
        CollectionAssert.AreEqual(transformer.Model.ToOnnxBytes(), reloaded.Model.ToOnnxBytes());
        CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
        var expected = TestData.Features(transformer.Transform(data), "Head");
        var actual = TestData.Features(loaded.Transform(data), "Head");
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], actual[i]);
        }
        reloaded.Dispose();
    }

    [TestMethod]
    public void UsingADisposedTransformerThrowsObjectDisposedException()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TestData.Sequences(mlContext, TestData.Random(3, 4, 1, seed: 1));
        var transformer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4)).Fit(data);
        var output = transformer.Transform(data);

        transformer.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => TestData.Features(output));
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }
}
