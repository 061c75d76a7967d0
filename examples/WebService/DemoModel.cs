using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>
/// The model the service trains when it is given none: QuickStart's sine-vs-square classifier on
/// a seed-sized LSTM (1 feature, 64 hidden, 2 layers), so the service runs with no files at hand.
/// </summary>
public static class DemoModel
{
    /// <summary>Values per sequence: the demo model.zip's input length.</summary>
    public const int Steps = 24;

    /// <summary>Trains the demo pipeline (featurizer, normalizer, SDCA logistic regression) and saves it as a model.zip at <paramref name="path"/>.</summary>
    public static void TrainAndSave(string path)
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromEnumerable(Waves(400, seed: 1), Schema());
        var pipeline = mlContext.Transforms
            .LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 64, numLayers: 2, seed: 1),
                new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden })
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
        using var model = pipeline.Fit(train);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        mlContext.Model.Save(model, train.Schema, path);
    }

    /// <summary>Sine waves (odd rows: square waves) of random frequency, phase and amplitude, <see cref="Steps"/> values each.</summary>
    public static IEnumerable<float[]> Sequences(int count, int seed) => Waves(count, seed).Select(row => row.Sequence);

    private static IEnumerable<DemoRow> Waves(int count, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            bool square = n % 2 == 1;
            double frequency = 0.05 + random.NextDouble() * 0.15;
            double phase = random.NextDouble() * 2 * Math.PI;
            double amplitude = 0.8 + 0.4 * random.NextDouble();
            var sequence = new float[Steps];
            for (int t = 0; t < Steps; t++)
            {
                double s = Math.Sin(2 * Math.PI * frequency * t + phase);
                sequence[t] = (float)(amplitude * (square ? Math.Sign(s) : s) + 0.05 * (random.NextDouble() - 0.5));
            }
            yield return new DemoRow { Sequence = sequence, Label = square };
        }
    }

    private static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(DemoRow));
        schema[nameof(DemoRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        return schema;
    }

    private sealed class DemoRow
    {
        public float[] Sequence { get; set; } = [];

        public bool Label { get; set; }
    }
}
