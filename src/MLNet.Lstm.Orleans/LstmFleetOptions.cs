namespace MLNet.Lstm.Orleans;

/// <summary>How the silo's series grains score and persist (<see cref="LstmFleetSiloBuilderExtensions.AddLstmFleet(ISiloBuilder, LstmModel, LstmFleetOptions)"/>).</summary>
/// <example>
/// <code>
/// siloBuilder.AddLstmFleet(LstmModel.FromOnnx("forecaster.onnx"), new LstmFleetOptions { CheckpointEvery = 500 });
/// </code>
/// </example>
public sealed class LstmFleetOptions
{
    /// <summary>
    /// The SQLite file the series' checkpoints are kept in (embedded: no server), shared by every
    /// silo of the cluster. Null adds no storage: the silo must then have a grain storage named
    /// <see cref="LstmFleet.StorageName"/> of its own (Orleans' ADO.NET, Redis or Azure providers).
    /// </summary>
    public string? SqlitePath { get; set; }

    /// <summary>
    /// Points a series scores between persisted checkpoints (it also persists on deactivation).
    /// Default 1,000: after a silo fails, at most that many points a series are scored again, from
    /// the checkpoint, with the same scores. 1 persists after every batch.
    /// </summary>
    public int CheckpointEvery { get; set; } = LstmFleet.DefaultCheckpointEvery;

    /// <summary>The engines' scoring options (<see cref="LstmTimeSeriesOptions"/>); the defaults if null.</summary>
    public LstmTimeSeriesOptions? Scoring { get; set; }
}
