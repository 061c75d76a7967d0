using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests;

/// <summary>
/// A sequence column carries its features per step (F) in the LstmInputSize annotation, so
/// multivariate data trains without InputSize and a model or option that disagrees is refused.
/// </summary>
[TestClass]
public sealed class InputSizeAnnotationTests
{
    private const int Channels = 3;

    [TestMethod]
    [DataRow("GunPoint", 1)]
    [DataRow("BasicMotions", 6)]
    public void LoadFromTsFileAnnotatesTheSequenceWithItsChannelCount(string set, int channels)
    {
        var mlContext = new MLContext(seed: 1);

        var data = mlContext.Data.LoadFromTsFile(Ucr(set));

        Assert.AreEqual(channels, Annotation(data.Schema));
    }

    [TestMethod]
    public void TrainingOnAMultivariateTsFileTakesTheInputSizeFromTheAnnotation()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromTsFile(Ucr("BasicMotions"));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
            {
                Objective = LstmObjective.Classification,
                LabelColumnName = "Label",
                HiddenSize = 4,
                Epochs = 1,
            }));

        using var model = pipeline.Fit(data);

        Assert.AreEqual(6, model.LastTransformer.Model.InputSize);
    }

    [TestMethod]
    public void InputSizeThatDisagreesWithTheAnnotationIsRefusedAtFit()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { InputSize = 1, HiddenSize = 4, Epochs = 1 });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(ThreeChannels(mlContext)));

        Assert.AreEqual("Input column 'Sequence': its LstmInputSize annotation says 3 features per step, but LstmTrainingOptions.InputSize is 1. " +
            "Leave InputSize null to take it from the annotation. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void ModelWhoseInputSizeDisagreesWithTheAnnotationIsRefusedAtFit()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 4));

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(ThreeChannels(mlContext)));

        Assert.AreEqual("Input column 'Sequence': its LstmInputSize annotation says 3 features per step, but the model's InputSize is 1. " +
            "Use a model whose InputSize is 3. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void InitialModelWhoseInputSizeDisagreesWithTheAnnotationIsRefusedBeforeTraining()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { InitialModel = LstmModel.CreateRandom(1, 4), Epochs = 1 });

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(ThreeChannels(mlContext)));

        Assert.AreEqual("Input column 'Sequence': its LstmInputSize annotation says 3 features per step, but the model's InputSize is 1. " +
            "Use a model whose InputSize is 3. (Parameter 'inputSchema')", e.Message);
    }

    [TestMethod]
    public void AnnotationPassesThroughMapValueToKeyACacheCheckpointAndTheFeaturizer()
    {
        var mlContext = new MLContext(seed: 1);
        var data = ThreeChannels(mlContext);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(Channels, 4)));

        using var model = pipeline.Fit(data);

        Assert.AreEqual(Channels, Annotation(model.GetOutputSchema(data.Schema)));
    }

    [TestMethod]
    public void TransformThatRewritesTheSequenceDropsTheAnnotationSoInputSizeIsGivenAgain()
    {
        var mlContext = new MLContext(seed: 1);
        var data = ThreeChannels(mlContext);
        var imputed = mlContext.Transforms.ReplaceMissingValues("Sequence").Fit(data).Transform(data);
        var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { InputSize = Channels, HiddenSize = 4, Epochs = 1 });

        using var transformer = estimator.Fit(imputed);

        Assert.IsNull(Annotation(imputed.Schema));
        Assert.AreEqual(Channels, transformer.Model.InputSize);
    }

    [TestMethod]
    public void AnnotationThatIsNotAnInt32IsRefused()
    {
        var mlContext = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 6);
        schema[nameof(Row.Sequence)].AddAnnotation(LstmAnnotations.InputSize, 3L, NumberDataViewType.Int64);
        var data = mlContext.Data.LoadFromEnumerable([new Row { Sequence = new float[6] }], schema);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(3, 4)).Fit(data));

        Assert.AreEqual("Input column 'Sequence': expected its LstmInputSize annotation to be an Int32 (features per step), found Int64. (Parameter 'inputSchema')", e.Message);
    }

    private static string Ucr(string set) => Path.Combine(AppContext.BaseDirectory, "Data", "ucr", set, $"{set}_TRAIN.ts");

    /// <summary>Four sequences of 5 steps and 3 channels, read from .ts text.</summary>
    private static IDataView ThreeChannels(MLContext mlContext)
    {
        var text = new System.Text.StringBuilder("@problemName tiny\n@dimensions 3\n@equalLength true\n@classLabel true a b\n@data\n");
        for (int n = 0; n < 4; n++)
        {
            var channels = Enumerable.Range(0, Channels).Select(c =>
                string.Join(",", Enumerable.Range(0, 5).Select(t => (0.1 * (n + 1) * (c + 1) * t).ToString(CultureInfo.InvariantCulture))));
            text.Append(string.Join(":", channels)).Append(n % 2 == 0 ? ":a\n" : ":b\n");
        }
        return TimeSeriesFile.Read(new StringReader(text.ToString()), "tiny.ts").ToDataView(mlContext.Data);
    }

    private static int? Annotation(DataViewSchema schema)
    {
        var column = schema["Sequence"];
        if (column.Annotations.Schema.GetColumnOrNull(LstmAnnotations.InputSize) is null)
        {
            return null;
        }
        int features = 0;
        column.Annotations.GetValue(LstmAnnotations.InputSize, ref features);
        return features;
    }

    private sealed class Row
    {
        public float[] Sequence { get; set; } = [];
    }
}
