using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using MLNet.Lstm.Evaluation;

namespace MLNet.Lstm.Tests;

/// <summary>
/// NAB's scorer: fed two published detectors' anomaly scores (Fixtures/NAB, see its SOURCE.md), it
/// reproduces NAB's published final scores and per-file tables; on small hand-made series, each
/// rule of the score gives the number NAB's formulas give.
/// </summary>
[TestClass]
public sealed class NabScorerTests
{
    private static readonly string NabRoot = Path.Combine(AppContext.BaseDirectory, "Data", "NAB");
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "NAB");
    private static readonly Lazy<IReadOnlyList<NabSeries>> Corpus = new(() => NabCorpus.Load(NabRoot));
    private static readonly ConcurrentDictionary<string, Lazy<double[][]>> Scores = new();

    private static readonly DateTime Start = new(2024, 1, 1);
    private const string Name = "test/series.csv";

    // ---- The published scoreboard ----

    /// <summary>The two detectors NAB ships per-point scores for, each under the three profiles.</summary>
    public static IEnumerable<object[]> PublishedRuns =>
        from detector in new[] { "numenta", "windowedGaussian" }
        from profile in new[] { "standard", "reward_low_FP_rate", "reward_low_FN_rate" }
        select new object[] { detector, profile };

    [TestMethod]
    [DynamicData(nameof(PublishedRuns))]
    public void PublishedScoresAtPublishedThresholdsReproduceTheFinalScore(string detector, string profile)
    {
        double published = Published("results/final_results.json", detector, profile, null);

        var result = NabScorer.ScoreCorpus(Corpus.Value, DetectorScores(detector), PublishedThreshold(detector, profile), Profile(profile));

        Console.WriteLine($"{detector} {profile}: {result.NormalizedScore:R} (published {published:R}), raw {result.RawScore:R}");
        // Measured differences are below 2e-11: the published numbers are reproduced, not approached.
        Assert.AreEqual(published, result.NormalizedScore, 1e-6);
    }

    [TestMethod]
    [DynamicData(nameof(PublishedRuns))]
    public void PerFileScoresAndCountsReproduceThePublishedTable(string detector, string profile)
    {
        var table = File.ReadAllLines(Path.Combine(Fixtures, $"{detector}_{profile}_scores.csv")).Skip(1).Select(line => line.Split(',')).ToArray();
        var result = NabScorer.ScoreCorpus(Corpus.Value, DetectorScores(detector), PublishedThreshold(detector, profile), Profile(profile));
        var files = result.Files.ToDictionary(file => file.Name);

        Assert.HasCount(58, files);
        Assert.HasCount(59, table);
        double worst = 0;
        foreach (var row in table.SkipLast(1))
        {
            var file = files[row[2]];
            worst = Math.Max(worst, Math.Abs(Number(row[4]) - file.Score));
            // The tables print 12 significant digits; measured differences are below 5e-12.
            Assert.AreEqual(Number(row[4]), file.Score, 1e-9, row[2]);
            Assert.AreEqual((int)Number(row[5]), file.TruePositives, row[2]);
            Assert.AreEqual((int)Number(row[6]), file.TrueNegatives, row[2]);
            Assert.AreEqual((int)Number(row[7]), file.FalsePositives, row[2]);
            Assert.AreEqual((int)Number(row[8]), file.FalseNegatives, row[2]);
            Assert.AreEqual((int)Number(row[9]), file.RowCount, row[2]);
        }

        var totals = table[^1];
        Console.WriteLine($"{detector} {profile}: Totals {result.RawScore:R} (published {totals[4]}), worst per-file difference {worst:E2}");
        Assert.AreEqual("Totals", totals[0]);
        Assert.AreEqual(Number(totals[4]), result.RawScore, 1e-9);
        Assert.AreEqual((int)Number(totals[5]), result.TruePositives);
        Assert.AreEqual((int)Number(totals[6]), result.TrueNegatives);
        Assert.AreEqual((int)Number(totals[7]), result.FalsePositives);
        Assert.AreEqual((int)Number(totals[8]), result.FalseNegatives);
        Assert.AreEqual((int)Number(totals[9]), result.RowCount);
    }

    [TestMethod]
    [DynamicData(nameof(PublishedRuns))]
    public void OptimizeReachesAtLeastThePublishedScore(string detector, string profile)
    {
        double published = Published("results/final_results.json", detector, profile, null);

        var best = NabScorer.Optimize(Corpus.Value, DetectorScores(detector), Profile(profile));

        Console.WriteLine($"{detector} {profile}: optimised {best.NormalizedScore:R} at threshold {best.Threshold:R} (published {published:R} at {PublishedThreshold(detector, profile):R})");
        Assert.IsGreaterThanOrEqualTo(published - 0.1, best.NormalizedScore);
        Assert.AreEqual(best.RawScore, NabScorer.ScoreCorpus(Corpus.Value, DetectorScores(detector), best.Threshold, Profile(profile)).RawScore);
    }

    [TestMethod]
    public void CorpusHas58SeriesAnd116WindowsAndNabsProbationaryLengths()
    {
        var corpus = Corpus.Value;
        var taxi = corpus.Single(series => series.Name == "realKnownCause/nyc_taxi.csv");
        var noise = corpus.Single(series => series.Name == "artificialNoAnomaly/art_daily_small_noise.csv");

        Assert.HasCount(58, corpus);
        Assert.AreEqual(116, corpus.Sum(series => series.Windows.Count));
        Assert.AreEqual(10320, taxi.Length);
        Assert.AreEqual(750, taxi.ProbationaryLength);
        Assert.AreEqual(4032, noise.Length);
        Assert.AreEqual(604, noise.ProbationaryLength);
        Assert.AreEqual(new NabWindow(new DateTime(2014, 10, 30, 15, 30, 0), new DateTime(2014, 11, 3, 22, 30, 0)), taxi.Windows[0]);
        Assert.AreEqual(10844, taxi.Values[0]);
    }

    // ---- The rules, on a hand-made series: 100 rows a minute apart, 15 probationary, one window on rows 50–59 ----

    [TestMethod]
    public void DetectionOnTheWindowsFirstRowEarnsExactlyTheTruePositiveWeight()
    {
        var result = NabScorer.ScoreSeries(Series(), Detections(50), 0.5, NabProfile.Standard);

        Assert.AreEqual(1.0, result.Score);
        Assert.AreEqual(1, result.TruePositives);
        Assert.AreEqual(9, result.FalseNegatives);
        Assert.AreEqual(0, result.FalsePositives);
        Assert.AreEqual(75, result.TrueNegatives);
    }

    [TestMethod]
    public void DetectionOnTheWindowsLastRowEarnsTheScaledSigmoidOfMinusOneTenth()
    {
        // NAB: position -(right - i + 1)/width = -1/10; scaledSigmoid divided by scaledSigmoid(-1).
        double expected = (2 / (1 + Math.Exp(-0.5)) - 1) / (2 / (1 + Math.Exp(-5.0)) - 1);

        var result = NabScorer.ScoreSeries(Series(), Detections(59), 0.5, NabProfile.Standard);

        Assert.AreEqual(0.24824, expected, 1e-5);
        Assert.AreEqual(expected, result.Score, 1e-15);
    }

    [TestMethod]
    public void SecondDetectionInTheSameWindowAddsNothing()
    {
        var result = NabScorer.ScoreSeries(Series(), Detections(50, 55), 0.5, NabProfile.Standard);

        Assert.AreEqual(1.0, result.Score);
        Assert.AreEqual(2, result.TruePositives);
    }

    [TestMethod]
    public void FalsePositiveBeforeAnyWindowCostsTheFullFalsePositiveWeight()
    {
        var result = NabScorer.ScoreSeries(Series(), Detections(20, 50), 0.5, NabProfile.RewardLowFalsePositiveRate);

        Assert.AreEqual(1.0 - 0.22, result.Score, 1e-15);
        Assert.AreEqual(1, result.FalsePositives);
    }

    [TestMethod]
    public void FalsePositiveAfterAWindowCostsTheSigmoidOfItsDistanceOverTheWindowLength()
    {
        // NAB: position |right - i| / (width - 1) = 10/9 for row 69 after the window ending on row 59.
        double expected = 1.0 + (2 / (1 + Math.Exp(5 * 10.0 / 9)) - 1) * 0.11;

        var result = NabScorer.ScoreSeries(Series(), Detections(50, 69), 0.5, NabProfile.Standard);

        Assert.AreEqual(0.8908, expected, 1e-4);
        Assert.AreEqual(expected, result.Score, 1e-15);
    }

    [TestMethod]
    public void MissedWindowCostsTheFalseNegativeWeight()
    {
        var result = NabScorer.ScoreSeries(Series(), Detections(), 0.5, NabProfile.RewardLowFalseNegativeRate);

        Assert.AreEqual(-2.0, result.Score);
        Assert.AreEqual(10, result.FalseNegatives);
    }

    [TestMethod]
    public void DetectionsInTheProbationaryPeriodAreNotCounted()
    {
        var result = NabScorer.ScoreSeries(Series(), Detections(0, 14, 50), 0.5, NabProfile.Standard);

        Assert.AreEqual(15, Series().ProbationaryLength);
        Assert.AreEqual(1.0, result.Score);
        Assert.AreEqual(0, result.FalsePositives);
        Assert.AreEqual(85, result.TruePositives + result.TrueNegatives + result.FalsePositives + result.FalseNegatives);
        Assert.AreEqual(100, result.RowCount);
    }

    [TestMethod]
    public void WindowInsideTheProbationaryPeriodIsNeitherDetectedNorMissed()
    {
        var series = new NabSeries(Name, Times(100), new double[100], [new NabWindow(Start.AddMinutes(2), Start.AddMinutes(5))]);

        var corpus = NabScorer.ScoreCorpus([series], [new double[100]], 0.5, NabProfile.Standard);

        Assert.AreEqual(0.0, corpus.RawScore);
        Assert.AreEqual(0.0, corpus.NullScore);
        Assert.AreEqual(1.0, corpus.PerfectScore);
    }

    [TestMethod]
    public void NullDetectorNormalisesTo0AndPerfectDetectorTo100()
    {
        NabSeries[] corpus = [Series(), Series()];

        var none = NabScorer.ScoreCorpus(corpus, [Detections(), Detections()], 0.5, NabProfile.RewardLowFalseNegativeRate);
        var perfect = NabScorer.ScoreCorpus(corpus, [Detections(50), Detections(50)], 0.5, NabProfile.RewardLowFalseNegativeRate);

        Assert.AreEqual(-4.0, none.NullScore);
        Assert.AreEqual(2.0, none.PerfectScore);
        Assert.AreEqual(0.0, none.NormalizedScore);
        Assert.AreEqual(100.0, perfect.NormalizedScore);
    }

    [TestMethod]
    public void OptimizeFindsTheThresholdThatSeparatesTheWindowStartFromTheFalseAlarms()
    {
        var scores = new double[100];
        scores[30] = 0.6;
        scores[50] = 0.8;
        scores[55] = 0.9;
        scores[80] = 0.7;

        var best = NabScorer.Optimize([Series()], [scores], NabProfile.Standard);

        // 0.9 earns row 55's sigmoid, 0.8 adds row 50's full weight, lower thresholds add false alarms.
        Assert.AreEqual(0.8, best.Threshold);
        Assert.AreEqual(1.0, best.RawScore);
    }

    [TestMethod]
    public void OptimizeWithNothingWorthDetectingChoosesNabsNoDetectionThreshold()
    {
        var scores = new double[100];
        scores[20] = 0.9;

        var best = NabScorer.Optimize([Series()], [scores], NabProfile.Standard);

        Assert.AreEqual(1.1, best.Threshold);
        Assert.AreEqual(-1.0, best.RawScore);
    }

    // ---- Bad input ----

    [TestMethod]
    [DataRow(1.5, "1.5")]
    [DataRow(-0.25, "-0.25")]
    [DataRow(double.NaN, "NaN")]
    [DataRow(double.PositiveInfinity, "Infinity")]
    public void ScoreOutsideZeroToOneThrowsNamingTheSeriesRowAndValue(double value, string shown)
    {
        var scores = Detections();
        scores[7] = value;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NabScorer.ScoreSeries(Series(), scores, 0.5, NabProfile.Standard));

        Assert.AreEqual($"NAB series 'test/series.csv', row 7 (2024-01-01 00:07:00): expected an anomaly score in [0, 1], found {shown}. (Parameter 'scores')", e.Message);
    }

    [TestMethod]
    public void WrongNumberOfScoresThrowsNamingTheSeries()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.ScoreSeries(Series(), new double[99], 0.5, NabProfile.Standard));

        Assert.AreEqual("NAB series 'test/series.csv': expected 100 anomaly scores, one per row, found 99. (Parameter 'scores')", e.Message);
    }

    [TestMethod]
    public void WrongNumberOfScoreArraysThrows()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.ScoreCorpus([Series(), Series()], [Detections()], 0.5, NabProfile.Standard));

        Assert.AreEqual("NAB scoring: expected one array of anomaly scores per series, 2, found 1. (Parameter 'scores')", e.Message);
    }

    [TestMethod]
    public void ScoringACorpusWithoutLabelledWindowsThrowsInsteadOfReturningNaN()
    {
        NabSeries[] corpus = [new(Name, Times(100), new double[100], [])];

        var scored = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.ScoreCorpus(corpus, [Detections(60)], 0.5, NabProfile.Standard));
        var optimized = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.Optimize(corpus, [Detections(60)], NabProfile.Standard));

        const string Expected = "NAB scoring: the corpus (1 series) has no labelled anomaly window; expected at least one, since the normalised score is measured " +
            "between the null detector (every window missed) and the perfect one (every window found), which are then equal. (Parameter 'corpus')";
        Assert.AreEqual(Expected, scored.Message);
        Assert.AreEqual(Expected, optimized.Message);
    }

    [TestMethod]
    public void AProfileWeighingNeitherHitsNorMissesIsRefusedByCorpusScoring()
    {
        var profile = new NabProfile("blind", truePositiveWeight: 0, falsePositiveWeight: 0.11, falseNegativeWeight: 0);

        var e = Assert.ThrowsExactly<ArgumentException>(() => NabScorer.ScoreCorpus([Series()], [Detections(50)], 0.5, profile));

        Assert.AreEqual("NAB profile 'blind': true-positive weight 0 and false-negative weight 0 give the perfect and the null detector the same score, " +
            "so the normalised score is undefined; expected either weight above 0. (Parameter 'profile')", e.Message);
    }

    [TestMethod]
    public void WindowEdgeMatchingNoRowThrows()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            new NabSeries(Name, Times(100), new double[100], [new NabWindow(Start.AddMinutes(50), Start.AddMinutes(59.5))]));

        Assert.AreEqual("NAB series 'test/series.csv', window 0: its end 2024-01-01 00:59:30 matches no row's timestamp; expected each window to start and end on a row of the series.", e.Message);
    }

    [TestMethod]
    public void ARowWhoseTimestampFallsInsideAWindowItIsNotPlacedInIsRefused()
    {
        var times = Times(100);
        (times[20], times[55]) = (times[55], times[20]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new NabSeries(Name, times, new double[100], [new NabWindow(Start.AddMinutes(50), Start.AddMinutes(59))]));

        Assert.AreEqual("NAB series 'test/series.csv', row 20: its timestamp 2024-01-01 00:55:00 lies inside window 0 (2024-01-01 00:50:00 to 2024-01-01 00:59:00), " +
            "but the row is outside the rows that open and close it; expected the rows in time order (sort them by timestamp). (Parameter 'timestamps')", e.Message);
    }

    [TestMethod]
    public void ARowPlacedInsideAWindowWithATimestampOutsideItIsRefused()
    {
        var times = Times(100);
        (times[55], times[90]) = (times[90], times[55]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new NabSeries(Name, times, new double[100], [new NabWindow(Start.AddMinutes(50), Start.AddMinutes(59))]));

        Assert.AreEqual("NAB series 'test/series.csv', row 55: it lies between the rows that open and close window 0 (2024-01-01 00:50:00 to 2024-01-01 00:59:00), " +
            "but its timestamp 2024-01-01 01:30:00 is outside the window; expected the rows in time order (sort them by timestamp). (Parameter 'timestamps')", e.Message);
    }

    [TestMethod]
    public void ATimestampSteppingBackAwayFromEveryWindowScoresByPositionAsNabDoes()
    {
        var times = Times(100);
        times[30] = Start.AddMinutes(25.5);
        var window = new NabWindow(Start.AddMinutes(50), Start.AddMinutes(59));
        var scores = new double[100];
        scores[50] = 1;
        scores[80] = 1;

        var stepped = NabScorer.ScoreSeries(new NabSeries(Name, times, new double[100], [window]), scores, 0.5, NabProfile.Standard);
        var ordered = NabScorer.ScoreSeries(new NabSeries(Name, Times(100), new double[100], [window]), scores, 0.5, NabProfile.Standard);

        Assert.AreEqual(ordered.Score, stepped.Score, 1e-12);
        Assert.AreEqual(1, stepped.TruePositives);
        Assert.AreEqual(1, stepped.FalsePositives);
    }

    [TestMethod]
    public void LoadNamesTheFileAndLineOfABadRow()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,x\n", """{"cat/a.csv": []}""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.AreEqual($"NAB data file '{Path.Combine(root, "data", "cat/a.csv")}', line 3: expected a number after the timestamp, found 'x'.", e.Message);
    }

    [TestMethod]
    public void LoadNamesTheLabelsFileForAWindowMatchingNoRow()
    {
        string root = TempCorpus("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,2\n",
            """{"cat/a.csv": [["2024-01-01 00:00:00.000000", "2024-01-01 00:02:00.000000"]]}""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => NabCorpus.Load(root));
        Directory.Delete(root, recursive: true);

        Assert.AreEqual($"NAB labels '{Path.Combine(root, "labels", "combined_windows.json")}': NAB series 'cat/a.csv', window 0: its end 2024-01-01 00:02:00 matches no row's timestamp; expected each window to start and end on a row of the series.", e.Message);
    }

    // ---- Helpers ----

    private static NabSeries Series() =>
        new(Name, Times(100), new double[100], [new NabWindow(Start.AddMinutes(50), Start.AddMinutes(59))]);

    private static DateTime[] Times(int rows) => [.. Enumerable.Range(0, rows).Select(i => Start.AddMinutes(i))];

    private static double[] Detections(params int[] rows)
    {
        var scores = new double[100];
        foreach (int row in rows)
            scores[row] = 1.0;
        return scores;
    }

    private static string TempCorpus(string csv, string windows)
    {
        string root = Path.Combine(Path.GetTempPath(), "nab-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "data", "cat"));
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        File.WriteAllText(Path.Combine(root, "data", "cat", "a.csv"), csv);
        File.WriteAllText(Path.Combine(root, "labels", "combined_windows.json"), windows);
        return root;
    }

    private static NabProfile Profile(string name) => NabProfile.All.Single(profile => profile.Name == name);

    private static double PublishedThreshold(string detector, string profile) =>
        Published("config/thresholds.json", detector, profile, "threshold");

    private static double Published(string file, string detector, string profile, string? field)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(NabRoot, file)));
        var value = json.RootElement.GetProperty(detector).GetProperty(profile);
        return (field is null ? value : value.GetProperty(field)).GetDouble();
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    // Fixtures/NAB/<detector>_anomaly_scores.csv.gz: file,anomaly_score rows, each series' rows in order.
    private static double[][] DetectorScores(string detector) => Scores.GetOrAdd(detector, d => new(() =>
    {
        var byFile = new Dictionary<string, List<double>>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(Fixtures, $"{d}_anomaly_scores.csv.gz")), CompressionMode.Decompress));
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            int comma = line.IndexOf(',');
            string file = line[..comma];
            if (!byFile.TryGetValue(file, out var scores))
                byFile[file] = scores = [];
            scores.Add(double.Parse(line.AsSpan(comma + 1), CultureInfo.InvariantCulture));
        }

        return [.. Corpus.Value.Select(series => byFile[series.Name].ToArray())];
    })).Value;
}
