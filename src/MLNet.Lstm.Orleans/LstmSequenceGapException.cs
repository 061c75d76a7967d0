namespace MLNet.Lstm.Orleans;

/// <summary>
/// A batch starts after the next point its series expects: the points between were never scored
/// (typically they were scored after the last persisted checkpoint by a silo that then failed).
/// Resend from <see cref="Expected"/>.
/// </summary>
[GenerateSerializer]
[Alias("MLNet.Lstm.Orleans.LstmSequenceGapException")]
public sealed class LstmSequenceGapException : Exception
{
    /// <summary>A gap in <paramref name="series"/>: <paramref name="expected"/> was due, the batch began at <paramref name="found"/>.</summary>
    /// <param name="series">The series' key.</param>
    /// <param name="expected">The sequence number the series expects next.</param>
    /// <param name="found">The first sequence number of the batch.</param>
    public LstmSequenceGapException(string series, long expected, long found)
        : base(FormattableString.Invariant($"Series '{series}': expected point {expected} next, found a batch starting at {found}; {(found - expected == 1 ? $"point {expected} is" : $"points {expected} to {found - 1} are")} missing. Resend from point {expected}."))
    {
        Series = series;
        Expected = expected;
        Found = found;
    }

    /// <summary>The series' key.</summary>
    [Id(0)]
    public string Series { get; }

    /// <summary>The sequence number the series expects next: resend from here.</summary>
    [Id(1)]
    public long Expected { get; }

    /// <summary>The first sequence number of the batch that was refused.</summary>
    [Id(2)]
    public long Found { get; }
}
