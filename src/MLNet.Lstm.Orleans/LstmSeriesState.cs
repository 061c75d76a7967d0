namespace MLNet.Lstm.Orleans;

/// <summary>
/// A series' persisted state: the engine's checkpoint (<see cref="LstmTimeSeriesEngine.CheckPoint"/>,
/// SHA-256-guarded and tied to the model's hash) and the sequence number of the point after it.
/// </summary>
[GenerateSerializer]
[Alias("MLNet.Lstm.Orleans.LstmSeriesState")]
public sealed class LstmSeriesState
{
    /// <summary>The sequence number of the first point the checkpoint has not read.</summary>
    [Id(0)]
    public long NextSequence { get; set; }

    /// <summary>The engine's checkpoint; null before the first one.</summary>
    [Id(1)]
    public byte[]? Checkpoint { get; set; }
}
