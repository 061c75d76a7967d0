using Microsoft.ML;
using MLNet.Lstm;

namespace MLNet.Lstm.Examples;

/// <summary>
/// One UCR/UEA data set, classified the same way by the example and by the tests: the plainest
/// pipeline, every featurizer default. The featurizer learns the input's standardization and
/// pooling from the training rows itself, and reads the channel count from the loaded column.
/// </summary>
/// <param name="Name">The set's folder and file prefix.</param>
public sealed record UcrSet(string Name)
{
    /// <summary>The sets of the README's results table.</summary>
    public static readonly UcrSet[] All = [new("GunPoint"), new("BasicMotions"), new("JapaneseVowels")];

    /// <summary>
    /// Test accuracy of SdcaMaximumEntropy on the featurizer's representation: trained
    /// (Classification objective on TRAIN) when <paramref name="train"/> is true, else a random LSTM.
    /// </summary>
    public double Accuracy(string dataFolder, bool train)
    {
        var mlContext = new MLContext(seed: 1);
        var trainData = mlContext.Data.LoadFromTsFile(Path.Combine(dataFolder, Name, $"{Name}_TRAIN.ts"));
        var testData = mlContext.Data.LoadFromTsFile(Path.Combine(dataFolder, Name, $"{Name}_TEST.ts"));
        var featurizer = train
            ? mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
            {
                Objective = LstmObjective.Classification,
                LabelColumnName = "Label",
            })
            : mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(Channels(dataFolder), hiddenSize: 64, seed: 1));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(featurizer)
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        using var model = pipeline.Fit(trainData);
        return mlContext.MulticlassClassification.Evaluate(model.Transform(testData)).MicroAccuracy;
    }

    private int Channels(string dataFolder) => TimeSeriesFile.Read(Path.Combine(dataFolder, Name, $"{Name}_TRAIN.ts")).Channels;
}
