namespace MLNet.Lstm;

/// <summary>
/// Options of <see cref="LstmTimeSeriesEngine"/>: how forecast errors become anomaly scores, and
/// the session's threads.
/// </summary>
/// <example>
/// <code>
/// using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = trainingLength });
/// </code>
/// </example>
public sealed class LstmTimeSeriesOptions
{
    /// <summary>
    /// Points at the start of the stream the model was trained on (for NAB, the probationary
    /// period). Their errors are in-sample, smaller than any new point's, so they score 0 and never
    /// join the history that defines "typical"; with them in it, every new point looks anomalous for
    /// a while. Default 0: the stream starts after the training data.
    /// </summary>
    public long TrainingPoints { get; set; }

    /// <summary>
    /// Errors (and novelties) averaged into the value a score judges: the mean of the last this
    /// many. Default null: 2 under the empirical tail (<see cref="ErrorTail"/>), 1 under the normal
    /// tail (the empirical tail averages the errors' square roots, so that both count). On the whole
    /// NAB corpus (BENCHMARKS.md, seeds 1–5) the default detector scores 64.3 with 2 and 63.8 with
    /// 1, while the same engine over untrained weights falls from 61.0 to 58.1: a mean of two of a
    /// learned forecast's errors keeps their worth, a random head's loses it, so the score owes more
    /// to the learning. Under the normal tail one error scored better than a mean of 2, 5 or 10,
    /// which delays and dilutes a sudden anomaly. More smooths noisy series. An engine whose window
    /// is null and that is restored from a checkpoint takes the window of the engine that wrote it
    /// (1 where that engine ran the default before this one), as it takes its tail, until
    /// <see cref="LstmTimeSeriesEngine.Reset"/>; a window set here must be the checkpoint's.
    /// </summary>
    /// <example>
    /// <code>
    /// var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { AveragingWindow = 1 });
    /// </code>
    /// </example>
    public int? AveragingWindow { get; set; }

    /// <summary>
    /// Points of rolling history whose short-term errors define "typical" for the series. Default
    /// 8,640 (a month of 5-minute points, Numenta's choice): long enough to span daily and weekly
    /// cycles, short enough to follow drift. Under the normal tail (<see cref="ErrorTail"/>) one
    /// huge error (an outlier thousands of times the series' scale) widens the fitted normal for as
    /// long as it stays in the history, so smaller anomalies after it score low until it leaves:
    /// clip such outliers before Predict, or shorten the history, where they occur. The empirical
    /// tail counts it as one error among the rest. The empirical tail keeps the history sorted as
    /// well: a second array of this length, and per point one move of up to as many values, about
    /// a microsecond at the default; that move grows with the length, so a history of millions costs
    /// up to milliseconds a point, and filling it (one insertion a point) minutes.
    /// </summary>
    public int HistoryLength { get; set; } = LstmDefaults.HistoryLength;

    /// <summary>
    /// Errors (means of <see cref="AveragingWindow"/> errors) the history must hold before scores
    /// begin; until then every score is 0. The first mean comes with the window's last error, so
    /// the first WarmUpPoints + window − 1 errors after the training points score 0: under the
    /// empirical tail's window of 2, WarmUpPoints + 1 (a stream without training points also has
    /// no error for its first point, which has no forecast).
    /// Default 50: fewer make the first scores of a series judge against a handful of errors.
    /// </summary>
    public int WarmUpPoints { get; set; } = LstmDefaults.WarmUpPoints;

    /// <summary>
    /// How far, as a fraction of the range of every value the engine has read (training points
    /// included), a point must lie beyond that range to score 1 whatever its forecast error: a
    /// value the series has never come near is an anomaly even when the model forecasts the jump
    /// (Numenta's "spatial anomaly"). Per feature; only points that are scored (after the training
    /// points and the warm-up) score so. Default 0.05; null turns it off, leaving the forecast error
    /// alone. An engine restored from a checkpoint of format 2, which held no range, scores by the
    /// forecast error alone until <see cref="LstmTimeSeriesEngine.Reset"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { ValueRangeTolerance = null });
    /// </code>
    /// </example>
    public double? ValueRangeTolerance { get; set; } = LstmDefaults.ValueRangeTolerance;

    /// <summary>
    /// How a forecast error's improbability is judged against the history of errors
    /// (<see cref="LstmErrorTail"/>). Default null: <see cref="LstmErrorTail.Empirical"/> where the
    /// engine has a value range (<see cref="ValueRangeTolerance"/>) and judges novelty (it keeps
    /// training states: <see cref="NoveltyMemory"/> and <see cref="TrainingPoints"/>), as
    /// <c>CreateLstmDetector</c>'s engines do; <see cref="LstmErrorTail.Normal"/> otherwise. On the
    /// whole NAB corpus (BENCHMARKS.md) the empirical tail lifted the default detector from 61.3 to
    /// 63.8 over five seeds (64.3 with its default window of two); without a value range the normal
    /// tail, which also ranks errors beyond the largest seen, scored 2 to 5 points higher; and an
    /// error's rank alone, without the novelty to average it with, is a percentile: any fixed alert
    /// threshold would flag a fixed share of normal points (1 % at 0.5), where the normal tail keeps
    /// alerts for errors far beyond the history's. The state novelty is always judged by the normal tail. An engine restored
    /// from a checkpoint scores by the tail of the engine that wrote it (the normal tail for a
    /// checkpoint of format 3 or older, written before this option; squared errors ranked for one
    /// of format 4, written before the square roots) until
    /// <see cref="LstmTimeSeriesEngine.Reset"/>, and its own checkpoints keep that tail.
    /// </summary>
    /// <example>
    /// <code>
    /// var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { ErrorTail = LstmErrorTail.Normal });
    /// </code>
    /// </example>
    public LstmErrorTail? ErrorTail { get; set; }

    /// <summary>
    /// How many of the LSTM's states on the training points (<see cref="TrainingPoints"/>, the last
    /// ones, after the first 48 in which the state settles) the engine keeps as "normal"; every later
    /// point's state is judged by its distance to the nearest of them
    /// (<see cref="LstmTimeSeriesPrediction.Novelty"/>), and its score is the mean of that novelty's
    /// and the forecast error's. Default 1,000; 0 turns it off, scoring by the forecast error alone.
    /// Each kept state costs L·H floats and, per scored point, L·H multiply-adds.
    /// </summary>
    /// <example>
    /// <code>
    /// var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = 750, NoveltyMemory = 0 });
    /// </code>
    /// </example>
    public int NoveltyMemory { get; set; } = LstmDefaults.NoveltyMemory;

    /// <summary>
    /// ONNX Runtime's intra-op threads for the engine's session; null (default) uses one: one
    /// step of one point is too little work to share between threads.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    internal LstmTimeSeriesOptions Copy() => (LstmTimeSeriesOptions)MemberwiseClone();
}
