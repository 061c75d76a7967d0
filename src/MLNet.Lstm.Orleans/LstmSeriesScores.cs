namespace MLNet.Lstm.Orleans;

/// <summary>What <see cref="ILstmSeriesGrain.Score"/> did with a batch.</summary>
/// <param name="FirstScored">The sequence number of the first point scored now (the points before it had been scored already).</param>
/// <param name="Scores">The anomaly scores of the points scored now, in [0, 1] (<see cref="LstmTimeSeriesPrediction.Score"/>).</param>
/// <param name="Errors">Their forecast errors (<see cref="LstmTimeSeriesPrediction.Error"/>).</param>
/// <param name="NextSequence">The sequence number the series expects next.</param>
/// <param name="DurableSequence">
/// The sequence number from which the series would resume after a failure: the points before it are
/// in the persisted checkpoint. A client keeps the points from here on, to resend them should the
/// series fail over.
/// </param>
[GenerateSerializer]
[Alias("MLNet.Lstm.Orleans.LstmSeriesScores")]
public sealed record LstmSeriesScores(
    [property: Id(0)] long FirstScored,
    [property: Id(1)] float[] Scores,
    [property: Id(2)] float[] Errors,
    [property: Id(3)] long NextSequence,
    [property: Id(4)] long DurableSequence);
