namespace MLNet.Lstm.Orleans;

/// <summary>
/// A series could not write its checkpoint to its grain storage (an outage, a full disk, a
/// stale activation). The batch that called for the checkpoint was not scored: the series is as
/// it was before it, and resending the batch once the storage is back scores it.
/// </summary>
[GenerateSerializer]
[Alias("MLNet.Lstm.Orleans.LstmFleetStorageException")]
public sealed class LstmFleetStorageException : Exception
{
    /// <summary>A refused checkpoint of <paramref name="series"/>, whose batch from <paramref name="resendFrom"/> is to be resent.</summary>
    /// <param name="series">The series' key.</param>
    /// <param name="resendFrom">The sequence number the series expects next: the refused batch's first unscored point.</param>
    /// <param name="inner">What the storage threw.</param>
    public LstmFleetStorageException(string series, long resendFrom, Exception inner)
        : base(FormattableString.Invariant($"Series '{series}': its checkpoint could not be written to grain storage '{LstmFleet.StorageName}' ({Cause(inner)}); the batch from point {resendFrom} was not scored. Resend it once the storage is back."), inner)
    {
        Series = series;
        ResendFrom = resendFrom;
    }

    // Orleans wraps a storage provider's exception in one whose message carries the whole stack: the root cause is what a reader needs.
    private static string Cause(Exception inner)
    {
        var root = inner.GetBaseException();
        return $"{root.GetType().Name}: {root.Message}";
    }

    /// <summary>The series' key.</summary>
    [Id(0)]
    public string Series { get; }

    /// <summary>The sequence number to resend from.</summary>
    [Id(1)]
    public long ResendFrom { get; }
}
