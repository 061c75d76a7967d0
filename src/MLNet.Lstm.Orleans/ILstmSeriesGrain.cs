namespace MLNet.Lstm.Orleans;

/// <summary>
/// One live series of a fleet, keyed by the caller's series name: a grain that owns the series'
/// streaming engine (<see cref="LstmTimeSeriesEngine"/>) and persists its checkpoint. Points carry
/// sequence numbers from 0, so that a batch resent after a failure is acknowledged, not scored
/// twice, and a missing stretch is an error rather than a silent gap.
/// </summary>
/// <example>
/// <code>
/// var series = client.GetGrain&lt;ILstmSeriesGrain&gt;("pump-17");
/// LstmSeriesScores scored = await series.Score(firstSequence: 0, points: [0.4f, 0.5f, 0.7f]);
/// </code>
/// </example>
public interface ILstmSeriesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Scores <paramref name="points"/> (F values a point, time-major), the first of them numbered
    /// <paramref name="firstSequence"/>. Points the series has already scored are acknowledged, not
    /// scored again; the rest are scored in order. The checkpoint is persisted every
    /// <see cref="LstmFleetOptions.CheckpointEvery"/> points and when the grain deactivates.
    /// </summary>
    /// <param name="firstSequence">The sequence number of the first point; the series expects <see cref="LstmSeriesScores.NextSequence"/> or earlier.</param>
    /// <param name="points">The points, F values each (F the model's input size).</param>
    /// <returns>The scores of the points not scored before, and the sequence numbers the series has reached and persisted.</returns>
    /// <exception cref="LstmSequenceGapException">The batch starts after the next point the series expects: points are missing.</exception>
    /// <exception cref="ArgumentException">The points are not whole points of F values, or one holds NaN or an infinity (nothing of the batch is scored).</exception>
    /// <exception cref="LstmFleetStorageException">The checkpoint the batch called for could not be written; nothing of the batch is scored.</exception>
    Task<LstmSeriesScores> Score(long firstSequence, float[] points);

    /// <summary>Persists the series' checkpoint now, whatever <see cref="LstmFleetOptions.CheckpointEvery"/> says.</summary>
    /// <returns>The sequence number of the next point, now persisted.</returns>
    /// <example>
    /// <code>
    /// long durable = await client.GetGrain&lt;ILstmSeriesGrain&gt;("pump-17").CheckPoint();
    /// </code>
    /// </example>
    Task<long> CheckPoint();
}
