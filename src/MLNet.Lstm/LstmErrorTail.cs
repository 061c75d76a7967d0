namespace MLNet.Lstm;

/// <summary>
/// How <see cref="LstmTimeSeriesEngine"/> judges how improbable a forecast error is against the
/// series' own history of errors (<see cref="LstmTimeSeriesOptions.ErrorTail"/>).
/// </summary>
/// <example>
/// <code>
/// var former = new LstmTimeSeriesOptions { TrainingPoints = 750, ErrorTail = LstmErrorTail.Normal }; // the scores before 2026-12-06
/// </code>
/// </example>
public enum LstmErrorTail
{
    /// <summary>
    /// Numenta's anomaly likelihood: the probability that a normal fitted to the history's errors
    /// reaches the error, as digits over 100 (10⁻¹⁰⁰ or less scores 1). It measures how far
    /// beyond every past error a new one lies, but squared errors are heavy-tailed: a noisy
    /// series' ordinary spikes look many digits improbable, and one huge error widens the normal
    /// for as long as it stays in the history.
    /// </summary>
    Normal,

    /// <summary>
    /// The share of the history's errors at least as large, (k + 1) / (n + 1) of n, as digits
    /// over the most a full history can give, log10(HistoryLength + 1): the largest error of a
    /// full history scores 1, one larger than all but 1 % of it about 0.5. No assumption about the
    /// errors' shape, and one huge error only ever counts as one, but nothing ranks above the
    /// largest: the value range (<see cref="LstmTimeSeriesOptions.ValueRangeTolerance"/>) is
    /// what flags a point far beyond anything seen. Alone, a rank is a percentile, which flags a
    /// share of normal points at any threshold: the engine averages it with the state's novelty.
    /// The errors are ranked as their square roots, the forecast's distances (root-mean-square over
    /// the features), so that a mean of several (<see cref="LstmTimeSeriesOptions.AveragingWindow"/>,
    /// 2 by default under this tail) weighs each alike; one error alone ranks as its square would.
    /// </summary>
    Empirical,
}
