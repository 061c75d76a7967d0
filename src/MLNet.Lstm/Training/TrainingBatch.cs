namespace MLNet.Lstm.Training;

/// <summary>Sequences of one length, time-major [T, N, F], with their labels.</summary>
internal sealed class TrainingBatch
{
    public int Count { get; set; }

    public int Steps { get; set; }

    /// <summary>[Steps, Count, F].</summary>
    public float[] Inputs { get; set; } = [];

    /// <summary>Classification: one class index per sequence.</summary>
    public int[] Classes { get; set; } = [];

    /// <summary>Regression: [Count, OutputSize] targets.</summary>
    public float[] Targets { get; set; } = [];

    /// <summary>Seed of this batch's dropout mask: a fixed function of the step and shard, so runs repeat.</summary>
    public ulong DropoutSeed { get; set; }
}
