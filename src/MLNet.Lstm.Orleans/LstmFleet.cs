namespace MLNet.Lstm.Orleans;

/// <summary>Names shared by the fleet's silos and clients.</summary>
public static class LstmFleet
{
    /// <summary>The grain storage name the series grains persist their checkpoints to.</summary>
    public const string StorageName = "lstm-fleet";

    /// <summary>The persisted state's name within that storage.</summary>
    public const string StateName = "lstm-series";

    /// <summary>
    /// Points a series scores between persisted checkpoints, by default: after a silo fails, at
    /// most that many points a series are scored again, and each checkpoint (up to about 70 KB)
    /// is written once per that many points.
    /// </summary>
    public const int DefaultCheckpointEvery = 1000;
}
