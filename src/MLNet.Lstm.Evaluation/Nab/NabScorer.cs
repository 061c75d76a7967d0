namespace MLNet.Lstm.Evaluation;

/// <summary>
/// NAB's scorer (Numenta Anomaly Benchmark v1.1, <c>nab/sweeper.py</c>, <c>nab/scorer.py</c>,
/// <c>nab/optimizer.py</c>, <c>nab/runner.py</c>): scores per-row anomaly scores in [0, 1] against
/// labelled windows. A row is a detection when its score is at least the threshold. Rows of the
/// probationary period are not scored. The first detection in a window earns the profile's
/// true-positive weight scaled by a sigmoid of how early it comes (later detections in the window
/// add nothing); a window without detection costs the false-negative weight; a false alarm costs
/// the false-positive weight, less when it follows a window closely.
/// </summary>
/// <example>
/// <code>
/// IReadOnlyList&lt;NabSeries&gt; corpus = NabCorpus.Load("path/to/NAB");
/// double[][] scores = [.. corpus.Select(series => MyDetector(series.Values))];
/// NabCorpusResult best = NabScorer.Optimize(corpus, scores, NabProfile.Standard);
/// Console.WriteLine($"NAB standard score {best.NormalizedScore:F2} at threshold {best.Threshold}");
/// </code>
/// </example>
public static class NabScorer
{
    // NAB's calcScoreByThreshold starts its sweep at 1.1, above every valid score: nothing detected.
    private const double NoDetectionThreshold = 1.1;

    /// <summary>Scores one series: a row of NAB's per-file score table.</summary>
    /// <param name="series">The series and its windows.</param>
    /// <param name="scores">The detector's anomaly score for every row, each in [0, 1].</param>
    /// <param name="threshold">A row is a detection when its score is at least this.</param>
    /// <param name="profile">The weights, e.g. <see cref="NabProfile.Standard"/>.</param>
    /// <returns>The raw score and the row counts.</returns>
    /// <exception cref="ArgumentException">The scores are not one per row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside [0, 1] or NaN, or the threshold is NaN.</exception>
    /// <example>
    /// <code>
    /// NabSeriesResult result = NabScorer.ScoreSeries(series, anomalyScores, 0.5, NabProfile.Standard);
    /// Console.WriteLine($"{result.Name}: {result.Score:F3} (TP {result.TruePositives}, FP {result.FalsePositives})");
    /// </code>
    /// </example>
    public static NabSeriesResult ScoreSeries(NabSeries series, ReadOnlySpan<double> scores, double threshold, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(profile);
        CheckThreshold(threshold);
        CheckScores(series, scores);
        return Score(series, scores, threshold, profile);
    }

    /// <summary>Scores a corpus at one threshold: NAB's per-file table, its Totals row and the normalised final score.</summary>
    /// <param name="corpus">The series, e.g. from <see cref="NabCorpus.Load"/>.</param>
    /// <param name="scores">The detector's anomaly scores, one array per series in the same order, one score in [0, 1] per row.</param>
    /// <param name="threshold">A row is a detection when its score is at least this.</param>
    /// <param name="profile">The weights, e.g. <see cref="NabProfile.Standard"/>.</param>
    /// <returns>The per-file results, the raw total and the normalised score.</returns>
    /// <exception cref="ArgumentException">The scores are not one array per series, an array is not one score per row, the corpus has no labelled window,
    /// or the profile weighs neither true positives nor missed windows (the normalised score would divide by 0).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside [0, 1] or NaN, or the threshold is NaN.</exception>
    /// <example>
    /// <code>
    /// NabCorpusResult result = NabScorer.ScoreCorpus(corpus, scores, 0.5, NabProfile.RewardLowFalsePositiveRate);
    /// Console.WriteLine($"raw {result.RawScore:F3}, final {result.NormalizedScore:F2}");
    /// </code>
    /// </example>
    public static NabCorpusResult ScoreCorpus(IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores, double threshold, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        CheckThreshold(threshold);
        CheckCorpus(corpus, scores);
        CheckNormalisable(corpus, profile);
        return ScoreChecked(corpus, scores, threshold, profile);
    }

    /// <summary>
    /// Finds the threshold with the best raw corpus score, as NAB v1.1's <c>optimizeThreshold</c> does:
    /// every distinct anomaly score of a scored row is tried (and 1.1, no detection at all); among equal
    /// scores the highest threshold wins. NAB's published thresholds came from an earlier optimiser
    /// (a hill climb from 0.5), which this exhaustive sweep never does worse than.
    /// </summary>
    /// <param name="corpus">The series, e.g. from <see cref="NabCorpus.Load"/>.</param>
    /// <param name="scores">The detector's anomaly scores, one array per series in the same order, one score in [0, 1] per row.</param>
    /// <param name="profile">The weights, e.g. <see cref="NabProfile.Standard"/>.</param>
    /// <returns>The corpus result at the best threshold (<see cref="NabCorpusResult.Threshold"/>).</returns>
    /// <exception cref="ArgumentException">The scores are not one array per series, an array is not one score per row, the corpus has no labelled window,
    /// or the profile weighs neither true positives nor missed windows (the normalised score would divide by 0).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside [0, 1] or NaN.</exception>
    /// <example>
    /// <code>
    /// foreach (var profile in NabProfile.All)
    /// {
    ///     NabCorpusResult best = NabScorer.Optimize(corpus, scores, profile);
    ///     Console.WriteLine($"{profile.Name}: {best.NormalizedScore:F2} at threshold {best.Threshold}");
    /// }
    /// </code>
    /// </example>
    public static NabCorpusResult Optimize(IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        CheckCorpus(corpus, scores);
        CheckNormalisable(corpus, profile);
        return ScoreChecked(corpus, scores, BestThreshold(corpus, scores, profile), profile);
    }

    private static NabCorpusResult ScoreChecked(IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores, double threshold, NabProfile profile)
    {
        var files = new NabSeriesResult[corpus.Count];
        int windows = 0;
        int scoredWindows = 0;
        for (int s = 0; s < corpus.Count; s++)
        {
            files[s] = Score(corpus[s], scores[s], threshold, profile);
            windows += corpus[s].Windows.Count;
            scoredWindows += corpus[s].ScoredWindowCount;
        }

        // NAB's normalize takes the null detector's own score, which misses only the windows it can
        // be scored on, but counts every labelled window as the perfect detector's reward.
        return new NabCorpusResult(profile, threshold, files,
            nullScore: -profile.FalseNegativeWeight * scoredWindows,
            perfectScore: profile.TruePositiveWeight * windows);
    }

    private static NabSeriesResult Score(NabSeries series, ReadOnlySpan<double> scores, double threshold, NabProfile profile)
    {
        var rowWindow = series.RowWindow;
        var rowSigmoid = series.RowSigmoid;
        // NaN marks a window with no scored row yet: NAB gives such a window no score part at all.
        var parts = new double[series.Windows.Count];
        parts.AsSpan().Fill(double.NaN);
        double falsePositiveScore = 0;
        int tp = 0, tn = 0, fp = 0, fn = 0;
        for (int i = series.ProbationaryLength; i < scores.Length; i++)
        {
            bool detected = scores[i] >= threshold;
            int window = rowWindow[i];
            if (window == NabSweep.NoWindow)
            {
                if (detected)
                {
                    fp++;
                    falsePositiveScore += rowSigmoid[i] * profile.FalsePositiveWeight;
                }
                else
                {
                    tn++;
                }

                continue;
            }

            if (double.IsNaN(parts[window]))
                parts[window] = -profile.FalseNegativeWeight;
            if (detected)
            {
                tp++;
                parts[window] = Math.Max(parts[window], TruePositiveScore(rowSigmoid[i], profile));
            }
            else
            {
                fn++;
            }
        }

        double score = falsePositiveScore;
        foreach (double part in parts)
        {
            if (!double.IsNaN(part))
                score += part;
        }

        return new NabSeriesResult(series.Name, threshold, score, tp, tn, fp, fn, series.Length);
    }

    // NAB's calcScoreByThreshold over the whole corpus at once: rows by falling anomaly score, each
    // distinct score closing the threshold above it.
    private static double BestThreshold(IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores, NabProfile profile)
    {
        int rows = 0;
        int windows = 0;
        int scoredWindows = 0;
        foreach (var series in corpus)
        {
            rows += series.Length - series.ProbationaryLength;
            windows += series.Windows.Count;
            scoredWindows += series.ScoredWindowCount;
        }

        var keys = new double[rows];
        var order = new int[rows];
        var rowScore = new double[rows];
        var rowWindow = new int[rows];
        int row = 0;
        int windowOffset = 0;
        foreach ((var series, double[] seriesScores) in corpus.Zip(scores))
        {
            for (int i = series.ProbationaryLength; i < series.Length; i++, row++)
            {
                keys[row] = seriesScores[i];
                order[row] = row;
                int window = series.RowWindow[i];
                rowWindow[row] = window == NabSweep.NoWindow ? NabSweep.NoWindow : windowOffset + window;
                rowScore[row] = window == NabSweep.NoWindow
                    ? series.RowSigmoid[i] * profile.FalsePositiveWeight
                    : TruePositiveScore(series.RowSigmoid[i], profile);
            }

            windowOffset += series.Windows.Count;
        }

        Array.Sort(keys, order);
        var parts = new double[windows];
        parts.AsSpan().Fill(-profile.FalseNegativeWeight);
        double falsePositiveScore = 0;
        double windowScore = -profile.FalseNegativeWeight * scoredWindows;
        double threshold = NoDetectionThreshold;
        double bestThreshold = threshold;
        double bestScore = double.NegativeInfinity;
        for (int k = rows - 1; k >= 0; k--)
        {
            if (keys[k] != threshold)
            {
                // Strictly better only: NAB's stable sort keeps the highest of equally good thresholds.
                if (falsePositiveScore + windowScore > bestScore)
                    (bestScore, bestThreshold) = (falsePositiveScore + windowScore, threshold);
                threshold = keys[k];
            }

            int r = order[k];
            int window = rowWindow[r];
            if (window == NabSweep.NoWindow)
            {
                falsePositiveScore += rowScore[r];
            }
            else if (rowScore[r] > parts[window])
            {
                windowScore += rowScore[r] - parts[window];
                parts[window] = rowScore[r];
            }
        }

        return falsePositiveScore + windowScore > bestScore ? threshold : bestThreshold;
    }

    // NAB divides by maxTP so that a detection on a window's first row earns exactly tpWeight.
    private static double TruePositiveScore(double sigmoid, NabProfile profile) =>
        sigmoid * profile.TruePositiveWeight / NabSweep.MaxTruePositive;

    private static void CheckThreshold(double threshold)
    {
        if (double.IsNaN(threshold))
            throw EvaluationThrow.NabThresholdNaN();
    }

    private static void CheckCorpus(IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != corpus.Count)
            throw EvaluationThrow.NabScoresCount(corpus.Count, scores.Count);
        for (int s = 0; s < corpus.Count; s++)
        {
            // Named by its index: ThrowIfNull would name the parameter "corpus[s]".
            if (corpus[s] is null)
                throw EvaluationThrow.NabSeriesMissing(s);
            CheckScores(corpus[s], scores[s] ?? throw EvaluationThrow.NabScoresMissing(corpus[s].Name, s));
        }
    }

    // The normalised score divides by the perfect detector's margin over the null detector's: a
    // corpus without windows, or a profile weighing neither hits nor misses, leaves nothing to divide by.
    private static void CheckNormalisable(IReadOnlyList<NabSeries> corpus, NabProfile profile)
    {
        int windows = 0, scoredWindows = 0;
        foreach (var series in corpus)
        {
            windows += series.Windows.Count;
            scoredWindows += series.ScoredWindowCount;
        }
        if (windows == 0)
            throw EvaluationThrow.NabCorpusUnlabelled(corpus.Count);
        if (profile.TruePositiveWeight * windows + profile.FalseNegativeWeight * scoredWindows <= 0)
            throw EvaluationThrow.NabProfileWeighsNoWindow(profile.Name, profile.TruePositiveWeight, profile.FalseNegativeWeight);
    }

    private static void CheckScores(NabSeries series, ReadOnlySpan<double> scores)
    {
        if (scores.Length != series.Length)
            throw EvaluationThrow.NabScoresLength(series.Name, series.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
        {
            // Written so that NaN fails too.
            if (!(scores[i] >= 0 && scores[i] <= 1))
                throw EvaluationThrow.NabScoreInvalid(series.Name, i, series.Timestamps[i], scores[i]);
        }
    }
}
