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
        : this(series, resendFrom, FormattableString.Invariant($"Series '{series}': its checkpoint could not be written to grain storage '{LstmFleet.StorageName}' ({Cause(inner)}); the batch from point {resendFrom} was not scored. Resend it once the storage is back."), inner)
    {
    }

    private LstmFleetStorageException(string series, long resendFrom, string message, Exception inner)
        : base(message, inner)
    {
        Series = series;
        ResendFrom = resendFrom;
    }

    /// <summary>Another activation of the series wrote its checkpoint since this one read it (the storage's ETag check).</summary>
    internal static LstmFleetStorageException Stale(string series, long resendFrom, Exception inner) =>
        new(series, resendFrom, FormattableString.Invariant($"Series '{series}': another activation wrote its checkpoint to grain storage '{LstmFleet.StorageName}' since this one read it ({Cause(inner)}); the batch from point {resendFrom} was not scored, and the series reloads from storage. Resend the batch: the reloaded series acknowledges the points it holds and scores the rest."), inner);

    // Orleans wraps a storage provider's exception in one whose message carries the whole stack: the provider's own is what a reader needs.
    private static string Cause(Exception inner)
    {
        var cause = inner;
        while (cause is OrleansException && cause.InnerException is not null)
        {
            cause = cause.InnerException;
        }
        return $"{cause.GetType().Name}: {cause.Message}";
    }

    /// <summary>The series' key.</summary>
    [Id(0)]
    public string Series { get; }

    /// <summary>The sequence number to resend from.</summary>
    [Id(1)]
    public long ResendFrom { get; }
}
