using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm;

namespace MLNet.Lstm.Examples;

/// <summary>One UCR/UEA data set, trained and scored the same way by the example and by the tests.</summary>
/// <param name="Name">The set's folder and file prefix.</param>
/// <param name="HiddenSize">LSTM hidden units.</param>
/// <param name="Epochs">Training epochs (no early stopping: the training sets are small).</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Representation">What the classifier reads.</param>
/// <param name="Pool">Consecutive steps averaged into one before the LSTM.</param>
public sealed record UcrSet(string Name, int HiddenSize, int Epochs, float LearningRate,
    LstmRepresentation Representation = LstmRepresentation.LastHidden, int Pool = 1)
{
    /// <summary>The sets of the README's results table, with the settings that produced them.</summary>
    public static readonly UcrSet[] All =
    [
        // 150 steps averaged 5 by 5 into 30 (long sequences fade in an LSTM), mean over time.
        new("GunPoint", HiddenSize: 64, Epochs: 60, LearningRate: 1e-2f, Representation: LstmRepresentation.MeanHidden, Pool: 5),
        new("BasicMotions", HiddenSize: 32, Epochs: 60, LearningRate: 1e-2f),
        new("JapaneseVowels", HiddenSize: 64, Epochs: 40, LearningRate: 1e-2f),
    ];

    /// <summary>
    /// Test accuracy of a multiclass trainer on the featurizer's representation: trained
    /// (Classification objective on TRAIN) when <paramref name="train"/> is true, else a random LSTM.
    /// </summary>
    public double Accuracy(string dataFolder, bool train, int seed = 1)
    {
        var mlContext = new MLContext(seed: seed);
        var trainFile = TimeSeriesFile.Read(Path.Combine(dataFolder, Name, $"{Name}_TRAIN.ts"));
        var testFile = TimeSeriesFile.Read(Path.Combine(dataFolder, Name, $"{Name}_TEST.ts"));
        var (mean, std) = ChannelStatistics(trainFile);
        var trainData = Standardized(trainFile, mean, std, Pool).ToDataView(mlContext.Data);
        var testData = Standardized(testFile, mean, std, Pool).ToDataView(mlContext.Data);

        var featurizer = train
            ? mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
            {
                Objective = LstmObjective.Classification,
                LabelColumnName = "Label",
                InputSize = trainFile.Channels,
                HiddenSize = HiddenSize,
                Epochs = Epochs,
                LearningRate = LearningRate,
                BatchSize = 16,
                ValidationFraction = 0,
                EarlyStoppingPatience = null,
                Seed = seed,
            }, new LstmFeaturizerOptions { Representation = Representation })
            : mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(trainFile.Channels, HiddenSize, seed: seed),
                new LstmFeaturizerOptions { Representation = Representation });
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(featurizer)
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        using var model = pipeline.Fit(trainData);
        return mlContext.MulticlassClassification.Evaluate(model.Transform(testData)).MicroAccuracy;
    }

    /// <summary>Each channel's mean and standard deviation over the training sequences.</summary>
    private static (float[] Mean, float[] Std) ChannelStatistics(TimeSeriesFile file)
    {
        int channels = file.Channels;
        var sum = new double[channels];
        var squares = new double[channels];
        long count = 0;
        foreach (var sequence in file.Sequences)
        {
            for (int i = 0; i < sequence.Length; i++)
            {
                sum[i % channels] += sequence[i];
                squares[i % channels] += (double)sequence[i] * sequence[i];
            }
            count += sequence.Length / channels;
        }
        var mean = sum.Select(s => (float)(s / count)).ToArray();
        var std = squares.Select((s, c) => (float)Math.Sqrt(Math.Max(s / count - mean[c] * (double)mean[c], 1e-12))).ToArray();
        return (mean, std);
    }

    private static TimeSeriesFile Standardized(TimeSeriesFile file, float[] mean, float[] std, int pool)
    {
        int channels = file.Channels;
        var text = new System.Text.StringBuilder();
        text.AppendLine($"@dimensions {channels}");
        text.AppendLine($"@equalLength {(file.EqualLength ? "true" : "false")}");
        text.AppendLine("@classLabel true " + string.Join(" ", file.ClassLabels));
        text.AppendLine("@data");
        for (int row = 0; row < file.Sequences.Count; row++)
        {
            var sequence = file.Sequences[row];
            int steps = sequence.Length / channels / pool;
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < steps; t++)
                {
                    float sum = 0;
                    for (int p = 0; p < pool; p++)
                    {
                        sum += sequence[(t * pool + p) * channels + c];
                    }
                    float value = (sum / pool - mean[c]) / std[c];
                    text.Append(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(t + 1 < steps ? "," : ":");
                }
            }
            text.AppendLine(file.Labels[row]);
        }
        return TimeSeriesFile.Read(new StringReader(text.ToString()), file.ProblemName ?? "standardized");
    }
}
