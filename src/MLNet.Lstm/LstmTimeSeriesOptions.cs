namespace MLNet.Lstm;

/// <summary>
/// Options of <see cref="LstmTimeSeriesEngine"/>: how forecast errors become anomaly scores, and
/// the session's threads.
/// </summary>
/// <example>
/// <code>
/// using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { HistoryLength = 2000 });
/// </code>
/// </example>
public sealed class LstmTimeSeriesOptions
{
    /// <summary>
    /// Errors averaged into the short-term error a score judges. Default 10, as Numenta's
    /// anomaly likelihood: one odd point scores less than a run of them.
    /// </summary>
    public int AveragingWindow { get; set; } = LstmDefaults.AveragingWindow;

    /// <summary>
    /// Points of rolling history whose short-term errors define "typical" for the series. Default
    /// 8,640 (a month of 5-minute points, Numenta's choice): long enough to span daily and weekly
    /// cycles, short enough to follow drift.
    /// </summary>
    public int HistoryLength { get; set; } = LstmDefaults.HistoryLength;

    /// <summary>
    /// Short-term errors the history must hold before scores begin; until then every score is 0.
    /// Default 100: fewer make the first scores of a series judge against a handful of errors.
    /// </summary>
    public int WarmUpPoints { get; set; } = LstmDefaults.WarmUpPoints;

    /// <summary>
    /// ONNX Runtime's intra-op threads for the engine's session; null (default) uses one: one
    /// step of one point is too little work to share between threads.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }
}
