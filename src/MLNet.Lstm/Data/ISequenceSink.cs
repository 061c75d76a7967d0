namespace MLNet.Lstm.Data;

/// <summary>Where <see cref="SequenceRowReader.ReadInto"/> puts a row: the training set. (A featurizer batch is filled through <see cref="SequenceRowReader.CopyTo"/>.)</summary>
internal interface ISequenceSink
{
    /// <summary>Room for the next row of <paramref name="steps"/> steps, time-major.</summary>
    Span<float> Add(int steps);

    /// <summary>The row just added holds NaN or infinity.</summary>
    void MarkLastMissing();
}
