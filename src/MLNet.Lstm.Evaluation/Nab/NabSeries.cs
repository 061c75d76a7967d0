namespace MLNet.Lstm.Evaluation;

/// <summary>
/// One series of a NAB-style corpus: its rows and its labelled anomaly windows, ready to score
/// detectors' anomaly scores with <see cref="NabScorer"/>.
/// </summary>
/// <example>
/// <code>
/// var series = new NabSeries("mine/sensor.csv", timestamps, values,
///     [new NabWindow(new DateTime(2024, 3, 1, 10, 0, 0), new DateTime(2024, 3, 1, 14, 0, 0))]);
/// NabSeriesResult result = NabScorer.ScoreSeries(series, anomalyScores, 0.5, NabProfile.Standard);
/// </code>
/// </example>
public sealed class NabSeries
{
    // NAB's Sweeper._getProbationaryLength (nab/sweeper.py): the first 15 % of a series, but at most
    // 15 % of 5000 rows, is left to the detector to learn from and is not scored.
    private const double ProbationaryPercent = 0.15;
    private const int ProbationaryRowsOf = 5000;

    private readonly DateTime[] _timestamps;
    private readonly double[] _values;
    private readonly int[] _rowWindow;
    private readonly double[] _rowSigmoid;

    /// <summary>Creates a series from its rows and windows; the arrays are copied.</summary>
    /// <param name="name">The series' name; NAB names a series by its path under <c>data/</c>, e.g. "realKnownCause/nyc_taxi.csv".</param>
    /// <param name="timestamps">One timestamp per row, in time order. NAB allows repeated timestamps; a window's start and end match the first row holding them.</param>
    /// <param name="values">One value per row.</param>
    /// <param name="windows">The labelled anomaly windows, in time order, not overlapping; each start and end is the timestamp of a row.</param>
    /// <exception cref="ArgumentException">
    /// The timestamps and values differ in length, a window's start or end matches no row, the windows are out of order or overlap,
    /// or a row's timestamp disagrees with its position about a window (rows out of time order).
    /// </exception>
    public NabSeries(string name, ReadOnlySpan<DateTime> timestamps, ReadOnlySpan<double> values, IReadOnlyList<NabWindow> windows)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(windows);
        if (timestamps.Length != values.Length)
            throw EvaluationThrow.NabLengthsDiffer(name, timestamps.Length, values.Length);

        var firstRow = new Dictionary<DateTime, int>(timestamps.Length);
        for (int i = 0; i < timestamps.Length; i++)
            firstRow.TryAdd(timestamps[i], i);
        int previousEnd = -1;
        for (int w = 0; w < windows.Count; w++)
        {
            int start = RowOf(name, w, "start", windows[w].Start, firstRow);
            int end = RowOf(name, w, "end", windows[w].End, firstRow);
            if (end < start)
                throw EvaluationThrow.NabWindowReversed(name, w, windows[w].Start, start, windows[w].End, end);
            if (start <= previousEnd)
                throw EvaluationThrow.NabWindowsOverlap(name, w, windows[w].Start, start, previousEnd);
            previousEnd = end;
        }

        Name = name;
        _timestamps = timestamps.ToArray();
        _values = values.ToArray();
        Windows = [.. windows];
        ProbationaryLength = Math.Min((int)Math.Floor(ProbationaryPercent * timestamps.Length), (int)(ProbationaryPercent * ProbationaryRowsOf));
        _rowWindow = new int[timestamps.Length];
        _rowSigmoid = new double[timestamps.Length];
        NabSweep.Run(_timestamps, Windows, firstRow, _rowWindow, _rowSigmoid);
        RequireRowsInTimeOrder(name, _timestamps, Windows, _rowWindow);
        ScoredWindowCount = CountWindows(_rowWindow.AsSpan(ProbationaryLength));
    }

    /// <summary>The series' name; for NAB's corpus its path under <c>data/</c>, e.g. "realKnownCause/nyc_taxi.csv".</summary>
    public string Name { get; }

    /// <summary>The number of rows.</summary>
    public int Length => _timestamps.Length;

    /// <summary>One timestamp per row.</summary>
    public ReadOnlySpan<DateTime> Timestamps => _timestamps;

    /// <summary>One value per row.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The labelled anomaly windows, in time order.</summary>
    public IReadOnlyList<NabWindow> Windows { get; }

    /// <summary>
    /// The rows at the start that are not scored (NAB's probationary period): min(⌊0.15·<see cref="Length"/>⌋, 750).
    /// A detector may learn from them; detections there neither earn nor cost anything, and a window
    /// that ends inside them is neither detected nor missed.
    /// </summary>
    public int ProbationaryLength { get; }

    /// <summary>Per row, the index of the window it lies in, or <see cref="NabSweep.NoWindow"/>.</summary>
    internal ReadOnlySpan<int> RowWindow => _rowWindow;

    /// <summary>Per row, NAB's unweighted scaled sigmoid of its position relative to the windows.</summary>
    internal ReadOnlySpan<double> RowSigmoid => _rowSigmoid;

    /// <summary>
    /// The windows with a row past the probationary period: NAB counts only these as detected or
    /// missed, so they are what its null detector loses.
    /// </summary>
    internal int ScoredWindowCount { get; }

    // A window's rows are contiguous, so each change of window index starts a new window.
    private static int CountWindows(ReadOnlySpan<int> rowWindow)
    {
        int count = 0;
        int last = NabSweep.NoWindow;
        foreach (int window in rowWindow)
        {
            if (window != NabSweep.NoWindow && window != last)
                count++;
            last = window;
        }

        return count;
    }

    // NAB judges a row by its position between the rows that open and close a window, so rows out of
    // time order (a shuffled or merged file) would score a detection inside a window as a false
    // positive. NAB's own corpus has a timestamp that steps back an hour, far from any window, which NAB
    // scores by position; only a row whose time and position disagree about a window is refused.
    private static void RequireRowsInTimeOrder(string name, ReadOnlySpan<DateTime> timestamps, IReadOnlyList<NabWindow> windows, ReadOnlySpan<int> rowWindow)
    {
        if (windows.Count == 0)
            return;
        for (int row = 0; row < timestamps.Length; row++)
        {
            var timestamp = timestamps[row];
            int byPosition = rowWindow[row];
            if (byPosition != NabSweep.NoWindow)
            {
                var window = windows[byPosition];
                if (timestamp < window.Start || timestamp > window.End)
                    throw EvaluationThrow.NabRowOutsideItsWindow(name, row, timestamp, byPosition, window.Start, window.End);
                continue;
            }

            int byTime = WindowStrictlyContaining(windows, timestamp);
            if (byTime != NabSweep.NoWindow)
                throw EvaluationThrow.NabRowInsideAnotherWindow(name, row, timestamp, byTime, windows[byTime].Start, windows[byTime].End);
        }
    }

    // Windows are in time order without overlap: the last one starting before the timestamp is the only candidate.
    private static int WindowStrictlyContaining(IReadOnlyList<NabWindow> windows, DateTime timestamp)
    {
        int low = 0, high = windows.Count - 1, candidate = NabSweep.NoWindow;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            if (windows[middle].Start < timestamp)
            {
                candidate = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return candidate != NabSweep.NoWindow && timestamp < windows[candidate].End ? candidate : NabSweep.NoWindow;
    }

    private static int RowOf(string name, int window, string edge, DateTime timestamp, Dictionary<DateTime, int> firstRow) =>
        firstRow.TryGetValue(timestamp, out int row) ? row : throw EvaluationThrow.NabWindowNoRow(name, window, edge, timestamp);
}
