namespace MLNet.Lstm.Data;

/// <summary>Where <see cref="SequenceRowReader"/> puts a row: a batch for ONNX Runtime, or the training set.</summary>
internal interface ISequenceSink
{
    /// <summary>Room for the next row of <paramref name="steps"/> steps, time-major.</summary>
    Span<float> Add(int steps);

    /// <summary>The row just added holds NaN or infinity.</summary>
    void MarkLastMissing();
}
