namespace MLNet.Lstm.Evaluation;

/// <summary>A detector's NAB score on one series at one threshold: a row of NAB's per-file score table.</summary>
public sealed class NabSeriesResult
{
    internal NabSeriesResult(string name, double threshold, double score, int truePositives, int trueNegatives, int falsePositives, int falseNegatives, int rowCount)
    {
        Name = name;
        Threshold = threshold;
        Score = score;
        TruePositives = truePositives;
        TrueNegatives = trueNegatives;
        FalsePositives = falsePositives;
        FalseNegatives = falseNegatives;
        RowCount = rowCount;
    }

    /// <summary>The series' name (NAB's File column).</summary>
    public string Name { get; }

    /// <summary>The threshold: a row is a detection when its anomaly score is at least this.</summary>
    public double Threshold { get; }

    /// <summary>The raw NAB score: window rewards and misses plus false-alarm costs, weighted by the profile.</summary>
    public double Score { get; }

    /// <summary>Scored rows inside a window with an anomaly score at or above the threshold.</summary>
    public int TruePositives { get; }

    /// <summary>Scored rows outside every window with an anomaly score below the threshold.</summary>
    public int TrueNegatives { get; }

    /// <summary>Scored rows outside every window with an anomaly score at or above the threshold.</summary>
    public int FalsePositives { get; }

    /// <summary>Scored rows inside a window with an anomaly score below the threshold.</summary>
    public int FalseNegatives { get; }

    /// <summary>All rows of the series, probationary ones included (NAB's Total_Count column).</summary>
    public int RowCount { get; }
}
