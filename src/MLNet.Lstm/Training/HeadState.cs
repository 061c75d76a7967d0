namespace MLNet.Lstm.Training;

/// <summary>One network's head: its linear layer, what it reads, and the buffers of a pass (not shared between shards).</summary>
internal sealed class HeadState(LstmWeights weights, HeadInputPooling pooling, float dropout, int members)
{
    private float[] _mask = [];
    private float[] _gradient = [];

    public LinearHead Linear { get; } = new(weights);

    public HeadInputPooling Pooling { get; } = pooling;

    /// <summary>Ensemble members: the head's outputs are that many groups, one per member (<see cref="EnsembleLayout"/>).</summary>
    public int Members { get; } = members;

    /// <summary>Share of the head's inputs zeroed in each training pass (inverted dropout); 0 for none.</summary>
    public float Dropout { get; } = dropout;

    /// <summary>A zeroed buffer of <paramref name="length"/> for the gradient of the head's output or input.</summary>
    public Span<float> Gradient(int length)
    {
        if (_gradient.Length < length)
        {
            _gradient = new float[length];
        }
        var gradient = _gradient.AsSpan(0, length);
        gradient.Clear();
        return gradient;
    }

    /// <summary>Zeroes a random <see cref="Dropout"/> share of <paramref name="values"/> and scales the rest by 1/(1 − p); the mask is kept for <see cref="ApplyMask"/>.</summary>
    public void DropOut(Span<float> values, ulong seed)
    {
        if (_mask.Length < values.Length)
        {
            _mask = new float[values.Length];
        }
        var random = new SplitMix64(unchecked((long)seed));
        float keep = 1f - Dropout, scale = 1f / keep;
        var mask = _mask.AsSpan(0, values.Length);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = (random.Next() >> 40) * (1f / (1 << 24)) < keep ? scale : 0f;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(values, mask, values);
    }

    /// <summary>Applies the last <see cref="DropOut"/> mask to a gradient of the same shape.</summary>
    public void ApplyMask(Span<float> gradient) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, _mask.AsSpan(0, gradient.Length), gradient);
}
