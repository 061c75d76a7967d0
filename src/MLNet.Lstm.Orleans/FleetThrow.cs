using static System.FormattableString;

namespace MLNet.Lstm.Orleans;

/// <summary>Every exception the fleet throws of its own, each naming the series, file or option, what was expected and what was found.</summary>
internal static class FleetThrow
{
    public static ArgumentException PointsNotWhole(string series, int features, int values) =>
        new(Invariant($"Series '{series}': expected whole points of {features} values (the model's input size), found {values} values."), "points");

    public static ArgumentOutOfRangeException SequenceNegative(string series, long firstSequence) =>
        new("firstSequence", Invariant($"Series '{series}': expected a sequence number from 0, found {firstSequence}."));

    public static ArgumentException PointNotFinite(string series, long point, int feature, float value) =>
        new(Invariant($"Series '{series}': point {point} holds {value} in feature {feature}; expected finite values. Nothing of the batch was scored."), "points");

    public static InvalidDataException CheckpointNotRestorable(string series, InvalidDataException e) =>
        new(Invariant($"Series '{series}': its checkpoint in grain storage '{LstmFleet.StorageName}' cannot be restored: {e.Message}"), e);

    public static ArgumentOutOfRangeException CheckpointEveryInvalid(int points) =>
        new("options", Invariant($"LstmFleetOptions.CheckpointEvery: expected at least 1 point, found {points}."));

    public static FileNotFoundException ModelFileMissing(string path) =>
        new(Invariant($"LSTM fleet model: expected an .onnx file or a model.zip at '{Path.GetFullPath(path)}', found no file."), path);

    public static InvalidDataException ModelZipWithoutFeaturizer(string path, string pipeline) =>
        new(Invariant($"LSTM fleet model: expected the model.zip '{Path.GetFullPath(path)}' to hold an LSTM featurizer (LstmFeaturizerTransformer), found a pipeline of {pipeline} without one."));
}
