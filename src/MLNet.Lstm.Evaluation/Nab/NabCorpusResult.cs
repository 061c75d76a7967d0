namespace MLNet.Lstm.Evaluation;

/// <summary>A detector's NAB score on a corpus at one threshold: NAB's per-file table, its Totals row and the final score.</summary>
public sealed class NabCorpusResult
{
    internal NabCorpusResult(NabProfile profile, double threshold, IReadOnlyList<NabSeriesResult> files, double nullScore, double perfectScore)
    {
        Profile = profile;
        Threshold = threshold;
        Files = files;
        NullScore = nullScore;
        PerfectScore = perfectScore;
        // Totals summed in file order, as NAB's scoreCorpus sums its Totals row.
        foreach (var file in files)
        {
            RawScore += file.Score;
            TruePositives += file.TruePositives;
            TrueNegatives += file.TrueNegatives;
            FalsePositives += file.FalsePositives;
            FalseNegatives += file.FalseNegatives;
            RowCount += file.RowCount;
        }

        NormalizedScore = 100 * (RawScore - nullScore) / (perfectScore - nullScore);
    }

    /// <summary>The profile the corpus was scored with.</summary>
    public NabProfile Profile { get; }

    /// <summary>The threshold: a row is a detection when its anomaly score is at least this.</summary>
    public double Threshold { get; }

    /// <summary>One result per series, in the corpus' order.</summary>
    public IReadOnlyList<NabSeriesResult> Files { get; }

    /// <summary>The sum of the series' raw scores (the Score of NAB's Totals row).</summary>
    public double RawScore { get; }

    /// <summary>
    /// The raw score of NAB's null detector, which never detects anything: minus the false-negative
    /// weight for every window with a scored row.
    /// </summary>
    public double NullScore { get; }

    /// <summary>The raw score of a perfect detector, as NAB's <c>normalize</c> takes it: the true-positive weight for every window.</summary>
    public double PerfectScore { get; }

    /// <summary>
    /// NAB's final score, 100·(<see cref="RawScore"/> − <see cref="NullScore"/>) / (<see cref="PerfectScore"/> − <see cref="NullScore"/>):
    /// 0 for the null detector, 100 for a perfect one; NaN for a corpus without windows.
    /// </summary>
    public double NormalizedScore { get; }

    /// <summary>The sum of the series' true positives (rows).</summary>
    public int TruePositives { get; }

    /// <summary>The sum of the series' true negatives (rows).</summary>
    public int TrueNegatives { get; }

    /// <summary>The sum of the series' false positives (rows).</summary>
    public int FalsePositives { get; }

    /// <summary>The sum of the series' false negatives (rows).</summary>
    public int FalseNegatives { get; }

    /// <summary>The sum of the series' rows, probationary ones included.</summary>
    public int RowCount { get; }
}
