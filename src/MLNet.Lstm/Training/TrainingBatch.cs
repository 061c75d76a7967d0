namespace MLNet.Lstm.Training;

/// <summary>Sequences of one length, time-major [T, N, F], with their labels.</summary>
internal sealed class TrainingBatch
{
    public int Count { get; set; }

    public int Steps { get; set; }

    /// <summary>[Steps, Count, F].</summary>
    public float[] Inputs { get; set; } = [];

    /// <summary>
    /// Steps the convolutional branch reads when its pooling differs from the LSTM's
    /// (<see cref="LstmWeights.ConvPoolingStride"/>); 0 when it reads <see cref="Inputs"/>.
    /// </summary>
    public int ConvSteps { get; set; }

    /// <summary>The branch's own input, batch-major [Count, ConvSteps, F]; empty when <see cref="ConvSteps"/> is 0.</summary>
    public float[] ConvInputs { get; set; } = [];

    /// <summary>Classification: one class index per sequence.</summary>
    public int[] Classes { get; set; } = [];

    /// <summary>Regression: [Count, OutputSize] targets.</summary>
    public float[] Targets { get; set; } = [];

    /// <summary>Seed of this batch's dropout mask: a fixed function of the step and shard, so runs repeat.</summary>
    public ulong DropoutSeed { get; set; }
}
