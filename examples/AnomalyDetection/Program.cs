// Anomaly detection on the whole NAB corpus (58 series), scored the way NAB scores its
// scoreboard. Per series: an LSTM learns to forecast the next point from the probationary
// period (NAB's rule: the first min(15 %, 750) points), then a time-series engine streams every
// point, one LSTM step each, and scores it in [0, 1] by its forecast error and its LSTM state's
// novelty against the probationary period's states, a value beyond the range seen so far scoring 1 (examples/Common/NabDetector.cs). The same engine
// on the random weights training starts from is the untrained floor: what the detector scores above it is
// what learning earned. The scores go through MLNet.Lstm.Evaluation's NAB scorer
// (threshold optimised over the corpus, per profile) and are written in NAB's own results
// layout, so NAB's scorer can check them: <out>/mlnetLstm/<category>/mlnetLstm_<series>.csv.
using System.Globalization;
using System.Text.Json;
using MLNet.Lstm;
using MLNet.Lstm.Evaluation;
using MLNet.Lstm.Examples;
using ScottPlot;

string nab = Path.Combine(AppContext.BaseDirectory, "data", "NAB");
// Arguments: [output folder] [--seed N] [--epochs N] [--window N] [--hidden N] [--novelty-memory N] [--range-tolerance X|off];
// the defaults are the library's, seed 1. The untrained floor scores with the same options.
string output = Path.Combine(Directory.GetCurrentDirectory(), "nab-results");
var detectorOptions = new LstmAnomalyDetectorOptions { Seed = 1 };
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--seed": detectorOptions.Seed = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
        case "--epochs": detectorOptions.Epochs = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
        case "--window": detectorOptions.WindowSize = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
        case "--hidden": detectorOptions.HiddenSize = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
        case "--novelty-memory": detectorOptions.Scoring.NoveltyMemory = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
        case "--range-tolerance":
            string tolerance = args[++a];
            detectorOptions.Scoring.ValueRangeTolerance = tolerance == "off" ? null : double.Parse(tolerance, CultureInfo.InvariantCulture);
            break;
        default: output = args[a]; break;
    }
}
var corpus = NabCorpus.Load(nab);
Console.WriteLine($"NAB corpus: {corpus.Count} series, {corpus.Sum(s => s.Length):N0} points, {corpus.Sum(s => s.Windows.Count)} labelled windows.");

var run = NabDetector.Run(corpus, detectorOptions, line => Console.WriteLine("  " + line));
var results = NabProfile.All.Select(p => NabScorer.Optimize(corpus, run.Scores, p)).ToArray();
var standard = results[0];
var floorRun = NabDetector.RunUntrained(corpus, detectorOptions);
var floor = NabProfile.All.Select(p => NabScorer.Optimize(corpus, floorRun.Scores, p)).ToArray();

Console.WriteLine();
Console.WriteLine("| series | points | windows | detected | false positives | standard score |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
for (int i = 0; i < corpus.Count; i++)
{
    var series = corpus[i];
    var file = standard.Files[i];
    Console.WriteLine($"| {series.Name} | {series.Length:N0} | {series.Windows.Count} | {DetectedWindows(series, run.Scores[i], standard.Threshold)} | {file.FalsePositives} | {file.Score:F2} |");
}

Console.WriteLine();
Console.WriteLine("Per category (each profile's corpus-wide threshold; NAB's normalisation on the category's files): trained detector / untrained floor");
Console.WriteLine("| category | files | standard | reward_low_FP | reward_low_FN |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var category in corpus.Select((s, i) => (Category: Path.GetDirectoryName(s.Name)!, Index: i)).GroupBy(c => c.Category))
{
    var indices = category.Select(c => c.Index).ToArray();
    var files = indices.Select(i => corpus[i]).ToArray();
    // A category without labelled windows (artificialNoAnomaly) has no normalised score: its false positives are what it shows.
    bool windows = files.Any(f => f.Windows.Count > 0);
    string cell(NabCorpusResult[] by, IReadOnlyList<double[]> scores, int profile) => windows
        ? NabScorer.ScoreCorpus(files, indices.Select(i => scores[i]).ToArray(), by[profile].Threshold, NabProfile.All[profile]).NormalizedScore.ToString("F1", CultureInfo.InvariantCulture)
        : $"{indices.Sum(i => by[profile].Files[i].FalsePositives)} FP";
    Console.WriteLine($"| {category.Key} | {files.Length} | {cell(results, run.Scores, 0)} / {cell(floor, floorRun.Scores, 0)} | {cell(results, run.Scores, 1)} / {cell(floor, floorRun.Scores, 1)} | {cell(results, run.Scores, 2)} / {cell(floor, floorRun.Scores, 2)} |");
}

Console.WriteLine();
Console.WriteLine("NAB scoreboard (published, results/final_results.json) with this detector:");
Console.WriteLine("| detector | standard | reward_low_FP | reward_low_FN |");
Console.WriteLine("|---|---:|---:|---:|");
using (var published = JsonDocument.Parse(File.ReadAllText(Path.Combine(nab, "results", "final_results.json"))))
{
    var board = published.RootElement.EnumerateObject()
        .Select(d => (Name: d.Name, Scores: NabProfile.All.Select(p => d.Value.GetProperty(p.Name).GetDouble()).ToArray()))
        .Append((Name: $"**{NabDetector.Name} (this run)**", Scores: results.Select(r => r.NormalizedScore).ToArray()))
        .Append((Name: $"{NabDetector.Name}, untrained floor (this run)", Scores: floor.Select(r => r.NormalizedScore).ToArray()))
        .OrderByDescending(d => d.Scores[0]);
    foreach (var (name, scores) in board)
    {
        Console.WriteLine($"| {name} | {scores[0]:F1} | {scores[1]:F1} | {scores[2]:F1} |");
    }
}

WriteResults(output, corpus, run.Scores);
string plots = Path.Combine(output, "plots");
Directory.CreateDirectory(plots);
foreach (string name in new[] { "realKnownCause/nyc_taxi.csv", "realKnownCause/machine_temperature_system_failure.csv", "realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv" })
{
    int i = corpus.ToList().FindIndex(s => s.Name == name);
    Plot(corpus[i], run.Scores[i], standard.Threshold, Path.Combine(plots, Path.GetFileNameWithoutExtension(name) + ".png"));
}

Console.WriteLine();
Console.WriteLine($"Thresholds: standard {results[0].Threshold:F4}, reward_low_FP {results[1].Threshold:F4}, reward_low_FN {results[2].Threshold:F4}.");
Console.WriteLine($"Training: {run.Training.TotalSeconds:F0} s for {corpus.Count} forecasters. Streaming: {run.Points:N0} points in {run.Streaming.TotalSeconds:F1} s = {run.PointsPerSecond:N0} points/s on one thread (untrained floor: {floorRun.PointsPerSecond:N0} points/s).");
Console.WriteLine($"Per-point scores in NAB's results layout: {Path.Combine(output, NabDetector.Name)}; plots: {plots}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"NAB untrained floor: standard {floor[0].NormalizedScore:F2}, reward_low_FP {floor[1].NormalizedScore:F2}, reward_low_FN {floor[2].NormalizedScore:F2}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"NAB scores: standard {results[0].NormalizedScore:F2}, reward_low_FP {results[1].NormalizedScore:F2}, reward_low_FN {results[2].NormalizedScore:F2}"));

// Windows with at least one score at or above the threshold after the probationary period.
static int DetectedWindows(NabSeries series, double[] scores, double threshold)
{
    int detected = 0;
    foreach (var window in series.Windows)
    {
        for (int i = series.ProbationaryLength; i < series.Length; i++)
        {
            var t = series.Timestamps[i];
            if (t >= window.Start && t <= window.End && scores[i] >= threshold)
            {
                detected++;
                break;
            }
        }
    }
    return detected;
}

// NAB's results layout: <detector>/<category>/<detector>_<file>.csv with timestamp, value, anomaly_score, label.
static void WriteResults(string output, IReadOnlyList<NabSeries> corpus, IReadOnlyList<double[]> scores)
{
    for (int s = 0; s < corpus.Count; s++)
    {
        var series = corpus[s];
        string category = Path.GetDirectoryName(series.Name)!;
        string folder = Path.Combine(output, NabDetector.Name, category);
        Directory.CreateDirectory(folder);
        using var writer = new StreamWriter(Path.Combine(folder, $"{NabDetector.Name}_{Path.GetFileName(series.Name)}"));
        writer.WriteLine("timestamp,value,anomaly_score,label");
        for (int i = 0; i < series.Length; i++)
        {
            var t = series.Timestamps[i];
            bool inWindow = series.Windows.Any(w => t >= w.Start && t <= w.End);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{t:yyyy-MM-dd HH:mm:ss},{series.Values[i]},{scores[s][i]},{(inWindow ? 1 : 0)}"));
        }
    }
}

static void Plot(NabSeries series, double[] scores, double threshold, string path)
{
    var plot = new Plot();
    double[] xs = new double[series.Length];
    double[] values = new double[series.Length];
    for (int i = 0; i < xs.Length; i++)
    {
        xs[i] = series.Timestamps[i].ToOADate();
        values[i] = series.Values[i];
    }
    foreach (var window in series.Windows)
    {
        var span = plot.Add.HorizontalSpan(window.Start.ToOADate(), window.End.ToOADate());
        span.FillStyle.Color = Colors.Red.WithAlpha(0.15);
        span.LineStyle.Width = 0;
    }
    var probation = plot.Add.VerticalLine(xs[series.ProbationaryLength]);
    probation.Color = Colors.Gray;
    probation.LinePattern = LinePattern.Dotted;
    var line = plot.Add.ScatterLine(xs, values);
    line.LegendText = "value";
    line.Color = Colors.SteelBlue;
    var detections = Enumerable.Range(series.ProbationaryLength, series.Length - series.ProbationaryLength).Where(i => scores[i] >= threshold).ToArray();
    if (detections.Length > 0)
    {
        var marks = plot.Add.ScatterPoints(detections.Select(i => xs[i]).ToArray(), detections.Select(i => values[i]).ToArray());
        marks.LegendText = "detection (standard threshold)";
        marks.Color = Colors.DarkOrange;
        marks.MarkerSize = 8;
    }
    var score = plot.Add.ScatterLine(xs, scores);
    score.LegendText = "anomaly score";
    score.Color = Colors.DarkOrange.WithAlpha(0.5);
    score.Axes.YAxis = plot.Axes.Right;
    plot.Axes.DateTimeTicksBottom();
    plot.Axes.Right.Label.Text = "anomaly score";
    plot.Axes.Left.Label.Text = "value";
    plot.Title($"NAB {series.Name}: labelled windows shaded, probationary period left of the dotted line");
    plot.ShowLegend(Alignment.UpperLeft);
    plot.SavePng(path, 1400, 500);
}
