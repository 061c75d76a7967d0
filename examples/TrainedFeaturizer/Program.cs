// Train the LSTM featurizer in .NET, inside Fit: classify sine windows by frequency band,
// save and reload the model, fine-tune a PyTorch-exported LSTM as an anomaly detector, and train
// an LSTM autoencoder (Reconstruction objective) whose reconstruction error is another anomaly score.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm;

const int Steps = 50;
var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromEnumerable(Waves.Generate(900, Steps, seed: 1), Waves.Schema(Steps));
var test = mlContext.Data.LoadFromEnumerable(Waves.Generate(300, Steps, seed: 2), Waves.Schema(Steps));

// 1. Classification: the featurizer learns a representation of the frequency band.
var training = new LstmTrainingOptions
{
    Objective = LstmObjective.Classification,
    LabelColumnName = "Band",
    Progress = new Progress<LstmTrainingProgress>(p =>
        Console.WriteLine($"  epoch {p.Epoch,2}: loss {p.Loss:F4}, {p.Elapsed.TotalSeconds:F1} s")),
};
Console.WriteLine("Training the LSTM featurizer (3 frequency bands, 900 windows of 50 steps):");
var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Band")
    .Append(mlContext.Transforms.LstmFeaturizeSequence(training))
    .AppendCacheCheckpoint(mlContext)
    .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Band"))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedBand", "PredictedLabel"));
var model = pipeline.Fit(train);
double trained = mlContext.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: "Band").MicroAccuracy;

var baseline = mlContext.Transforms.Conversion.MapValueToKey("Band")
    .Append(mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 64, seed: 1)))
    .AppendCacheCheckpoint(mlContext)
    .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Band"))
    .Fit(train);
double random = mlContext.MulticlassClassification.Evaluate(baseline.Transform(test), labelColumnName: "Band").MicroAccuracy;
Console.WriteLine($"Test accuracy: trained featurizer {trained:P1}, random featurizer {random:P1}");
// Classification trains a convolutional branch beside the LSTM by default (ConvChannels); both feed the features.
var trainedWeights = model.OfType<LstmFeaturizerTransformer>().Single().Model.GetWeights();
Console.WriteLine($"The trained model: an LSTM of {trainedWeights.HiddenSize} units beside a convolutional branch of {string.Join("-", trainedWeights.ConvChannels)} channels " +
    $"(kernels {string.Join("-", trainedWeights.ConvKernelSizes)} steps); {trainedWeights.HeadInputWidth} features per window");

// 2. Save, reload (as a service would), score one window.
string zip = Path.Combine(Path.GetTempPath(), "lstm-trained-featurizer.zip");
mlContext.Model.Save(model, train.Schema, zip);
var reloaded = mlContext.Model.Load(zip, out _);
using var engine = mlContext.Model.CreatePredictionEngine<Waves.Row, Prediction>(reloaded, inputSchemaDefinition: Waves.Schema(Steps));
var window = Waves.Generate(1, Steps, seed: 3).Single();
Console.WriteLine($"Saved to {zip}, reloaded; a window of band {window.Band} is predicted as band {engine.Predict(window).PredictedBand}");

// 3. Fine-tune a PyTorch export as a next-step forecaster, and score anomalies with it.
var pytorch = LstmModel.FromOnnx(Path.Combine(AppContext.BaseDirectory, "seed_lstm.onnx"));
var forecasting = new LstmTrainingOptions
{
    Objective = LstmObjective.NextStep,
    InitialModel = pytorch,
    Epochs = 5,
    Seed = 1,
    Progress = new Progress<LstmTrainingProgress>(p => Console.WriteLine($"  epoch {p.Epoch}: next-step loss {p.Loss:F5}")),
};
Console.WriteLine($"Fine-tuning the PyTorch model ({pytorch.NumLayers} layers of {pytorch.HiddenSize}) to forecast the next step:");
using var detector = mlContext.Transforms.LstmFeaturizeSequence(forecasting,
    new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError, OutputColumnName = "Score" }).Fit(train);
var normal = Waves.Generate(1, Steps, seed: 4).Single();
var spiked = Waves.Generate(1, Steps, seed: 4).Single();
spiked.Sequence[30] += 3f;
var scores = detector.Transform(mlContext.Data.LoadFromEnumerable(new[] { normal, spiked }, Waves.Schema(Steps)))
    .GetColumn<float[]>("Score").Select(s => s[0]).ToArray();
Console.WriteLine($"Anomaly score (mean squared next-step error): normal window {scores[0]:F4}, same window with a spike {scores[1]:F4}");

// 4. Reconstruction: an autoencoder whose final state must hold the whole window; a window unlike
//    the training windows comes back worse. In the input's own units without scaling or pooling.
var reconstructing = new LstmTrainingOptions
{
    Objective = LstmObjective.Reconstruction,
    Standardize = false,
    MaxSteps = null,
    Epochs = 20,
    Seed = 1,
};
Console.WriteLine("Training an LSTM autoencoder (Reconstruction objective, 20 epochs):");
using var autoencoder = mlContext.Transforms.LstmFeaturizeSequence(reconstructing,
    new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput, OutputColumnName = "Reconstruction" }).Fit(train);
var reconstructions = autoencoder.Transform(mlContext.Data.LoadFromEnumerable(new[] { normal, spiked }, Waves.Schema(Steps)))
    .GetColumn<float[]>("Reconstruction").ToArray();
double Error(float[] window, float[] back) => window.Zip(back, (x, y) => (double)(x - y) * (x - y)).Average();
Console.WriteLine($"Reconstruction error (mean squared): normal window {Error(normal.Sequence, reconstructions[0]):F4}, " +
    $"same window with a spike {Error(spiked.Sequence, reconstructions[1]):F4}");

internal sealed class Prediction
{
    public float PredictedBand { get; set; }
}

internal static class Waves
{
    internal sealed class Row
    {
        public float[] Sequence { get; set; } = [];

        public float Band { get; set; }
    }

    public static SchemaDefinition Schema(int steps)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        return schema;
    }

    /// <summary>Noisy sine windows in three frequency bands (0, 1, 2) with random phase and amplitude.</summary>
    public static IEnumerable<Row> Generate(int count, int steps, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            int band = n % 3;
            double frequency = 0.02 + 0.04 * band + 0.03 * random.NextDouble();
            double phase = random.NextDouble() * 2 * Math.PI;
            double amplitude = 0.5 + random.NextDouble();
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                sequence[t] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * t + phase) + 0.1 * (random.NextDouble() - 0.5));
            }
            yield return new Row { Sequence = sequence, Band = band };
        }
    }
}
