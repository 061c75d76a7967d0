// MLNet.Lstm quick start: the seed notebook in .NET, then a small end-to-end classification.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm;

var mlContext = new MLContext(seed: 42);

// 1. The seed model: nn.LSTM(input_size=1, hidden_size=64, num_layers=2, batch_first=True)
//    + nn.Linear(64, 1) on the last step, fed 32 random sequences of length 10.
const int Sequences = 32, Steps = 10, Features = 1;
var model = LstmModel.CreateRandom(inputSize: Features, hiddenSize: 64, numLayers: 2, outputSize: 1, seed: 42);
var random = new Random(42);
var rows = Enumerable.Range(0, Sequences)
    .Select(_ => new SequenceRow { Sequence = [.. Enumerable.Range(0, Steps * Features).Select(_ => (float)random.NextDouble())] })
    .ToList();
var data = mlContext.Data.LoadFromEnumerable(rows, SequenceRow.Schema(Steps * Features));
Console.WriteLine($"Input shape: [{Sequences}, {Steps}, {Features}]");

foreach (var representation in new[] { LstmRepresentation.LastHidden, LstmRepresentation.ModelOutput })
{
    using var featurizer = mlContext.Transforms
        .LstmFeaturizeSequence(model, new LstmFeaturizerOptions { Representation = representation })
        .Fit(data);
    var features = featurizer.Transform(data).GetColumn<float[]>("Features").ToArray();
    Console.WriteLine($"{representation} shape: [{features.Length}, {features[0].Length}]  first row starts {string.Join(", ", features[0].Take(3).Select(v => v.ToString("F4")))}");
}

// 2. End to end: tell sine waves from square waves. The LSTM's per-step output, max-pooled over
//    time, feeds a logistic regression. The cache checkpoint keeps the trainer's many passes
//    from re-running the LSTM.
const int WaveSteps = 24;
var train = mlContext.Data.LoadFromEnumerable(Waves.Generate(400, WaveSteps, seed: 1), SequenceRow.Schema(WaveSteps));
var test = mlContext.Data.LoadFromEnumerable(Waves.Generate(200, WaveSteps, seed: 2), SequenceRow.Schema(WaveSteps));
var pipeline = mlContext.Transforms
    .LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 32, seed: 1),
        new LstmFeaturizerOptions { Representation = LstmRepresentation.MaxHidden })
    .AppendCacheCheckpoint(mlContext)
    .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
    .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
using var trained = pipeline.Fit(train);
var metrics = mlContext.BinaryClassification.Evaluate(trained.Transform(test));
Console.WriteLine($"Sine vs. square, random LSTM features + SDCA logistic regression: test accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:F3}");

internal sealed class SequenceRow
{
    public float[] Sequence { get; set; } = [];

    public bool Label { get; set; }

    /// <summary>ML.NET needs the vector's size in the schema; here it is known only at run time.</summary>
    public static SchemaDefinition Schema(int length)
    {
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return schema;
    }
}

internal static class Waves
{
    /// <summary>Sine (label false) and square (label true) waves of random frequency and phase.</summary>
    public static IEnumerable<SequenceRow> Generate(int count, int steps, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            bool square = n % 2 == 1;
            double frequency = 0.05 + random.NextDouble() * 0.15;
            double phase = random.NextDouble() * 2 * Math.PI;
            double amplitude = 0.8 + 0.4 * random.NextDouble();
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                double s = Math.Sin(2 * Math.PI * frequency * t + phase);
                sequence[t] = (float)(amplitude * (square ? Math.Sign(s) : s) + 0.05 * (random.NextDouble() - 0.5));
            }
            yield return new SequenceRow { Sequence = sequence, Label = square };
        }
    }
}
