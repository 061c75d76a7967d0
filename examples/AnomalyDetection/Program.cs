// Anomaly detection on four NAB series: sliding windows → an LSTM trained in .NET to forecast
// the next step on the first part of each series (NAB's probationary 15 %) → two anomaly
// scores per window: the mean squared next-step error (NextStepError), and RandomizedPca on
// the LSTM's representation. Reports point-level ROC AUC after the training part, and how many
// labelled windows raise an alarm at a threshold chosen on the training part; writes a PNG
// per series (series, labelled windows shaded, score). The score of a point is the mean of
// the last 48 window scores ending at or before it.
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm;
using ScottPlot;

// 48 steps: a day of the taxi series' half hours, four hours of the 5-minute series.
const int Window = 48;
// NAB's windows span hours to days: a point's score is the mean of the last 48 window scores.
const int Smooth = 48;
const double TrainingShare = 0.15;
string folder = Path.Combine(AppContext.BaseDirectory, "data", "NAB");
string plots = args.Length > 0 ? args[0] : Path.Combine(Directory.GetCurrentDirectory(), "anomaly-plots");
Directory.CreateDirectory(plots);
string[] files =
[
    "realKnownCause/machine_temperature_system_failure.csv",
    "realKnownCause/nyc_taxi.csv",
    "realKnownCause/ambient_temperature_system_failure.csv",
    "realKnownCause/cpu_utilization_asg_misconfiguration.csv",
];

Console.WriteLine("| series | points | AUC, next-step error | AUC, PCA on representation | labelled windows with an alarm (next-step error) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
double aucSum = 0, pcaSum = 0;
foreach (var file in files)
{
    var series = NabSeries.Load(folder, file);
    var mlContext = new MLContext(seed: 1);
    int trainPoints = (int)(series.Values.Length * TrainingShare);
    // Standardized with the training part's statistics only, as a live detector would be.
    double mean = series.Values.Take(trainPoints).Average();
    double std = Math.Sqrt(series.Values.Take(trainPoints).Average(v => (v - mean) * (v - mean)));
    var values = series.Values.Select(v => (float)((v - mean) / std)).ToArray();

    var train = mlContext.Data.CreateSlidingWindows(values.Take(trainPoints), Window, stride: 2);
    var all = mlContext.Data.CreateSlidingWindows(values, Window, stride: 1);
    var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 32, Epochs = 15, LearningRate = 5e-3f, Seed = 1 };
    using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(training,
        new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError, OutputColumnName = "Score" }).Fit(train);
    var windowScores = forecaster.Transform(all).GetColumn<float[]>("Score").Select(s => (double)s[0]).ToArray();

    using var encoder = mlContext.Transforms.LstmFeaturizeSequence(forecaster.Model,
        new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden }).Fit(train);
    var pca = mlContext.Transforms.NormalizeMeanVariance("Features")
        .Append(mlContext.AnomalyDetection.Trainers.RandomizedPca("Features", rank: 4, seed: 1))
        .Fit(encoder.Transform(train));
    var pcaScores = pca.Transform(encoder.Transform(all)).GetColumn<float>("Score").Select(s => (double)s).ToArray();

    // A window's score belongs to its last point; the first points borrow the first window's.
    var pointScores = PointScores(windowScores, values.Length);
    var pointPca = PointScores(pcaScores, values.Length);
    var labels = series.PointLabels();
    double auc = Auc(pointScores[trainPoints..], labels[trainPoints..]);
    double aucPca = Auc(pointPca[trainPoints..], labels[trainPoints..]);
    double threshold = pointScores[..trainPoints].Max();
    int detected = series.Windows.Count(w => Enumerable.Range(0, values.Length)
        .Any(i => series.Times[i] >= w.Start && series.Times[i] <= w.End && pointScores[i] > threshold));
    aucSum += auc;
    pcaSum += aucPca;
    Console.WriteLine($"| {series.Name} | {values.Length:N0} | {auc:F3} | {aucPca:F3} | {detected} of {series.Windows.Length} |");
    Plot(series, pointScores, threshold, Path.Combine(plots, series.Name + ".png"));
}
Console.WriteLine($"| mean | | {aucSum / files.Length:F3} | {pcaSum / files.Length:F3} | |");
Console.WriteLine($"Plots written to {plots}");

static double[] PointScores(double[] windowScores, int points)
{
    var scores = new double[points];
    for (int i = 0; i < points; i++)
    {
        int last = Math.Clamp(i - (Window - 1), 0, windowScores.Length - 1);
        int first = Math.Max(0, last - Smooth + 1);
        double sum = 0;
        for (int k = first; k <= last; k++)
        {
            sum += windowScores[k];
        }
        scores[i] = sum / (last - first + 1);
    }
    return scores;
}

/// <summary>Point-level ROC AUC: the probability that a point inside a labelled window outscores one outside (ties count half).</summary>
static double Auc(double[] scores, bool[] labels)
{
    var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
    double rankSum = 0;
    int positives = 0;
    for (int start = 0; start < order.Length;)
    {
        int end = start;
        while (end < order.Length && scores[order[end]] == scores[order[start]])
        {
            end++;
        }
        double rank = (start + end + 1) / 2.0;
        for (int k = start; k < end; k++)
        {
            if (labels[order[k]])
            {
                rankSum += rank;
                positives++;
            }
        }
        start = end;
    }
    int negatives = scores.Length - positives;
    return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
}

static void Plot(NabSeries series, double[] scores, double threshold, string path)
{
    var plot = new Plot();
    double[] xs = [.. series.Times.Select(t => t.ToOADate())];
    foreach (var (start, end) in series.Windows)
    {
        var span = plot.Add.HorizontalSpan(start.ToOADate(), end.ToOADate());
        span.FillStyle.Color = Colors.Red.WithAlpha(0.15);
        span.LineStyle.Width = 0;
    }
    var values = plot.Add.ScatterLine(xs, series.Values.Select(v => (double)v).ToArray());
    values.LegendText = "value";
    values.Color = Colors.SteelBlue;
    var score = plot.Add.ScatterLine(xs, scores);
    score.LegendText = "next-step error";
    score.Color = Colors.DarkOrange;
    score.Axes.YAxis = plot.Axes.Right;
    var line = plot.Add.HorizontalLine(threshold);
    line.Axes.YAxis = plot.Axes.Right;
    line.Color = Colors.DarkOrange.WithAlpha(0.6);
    line.LinePattern = LinePattern.Dashed;
    plot.Axes.DateTimeTicksBottom();
    plot.Axes.Right.Label.Text = "anomaly score";
    plot.Axes.Left.Label.Text = "value";
    plot.Title($"NAB {series.Name}: labelled windows shaded");
    plot.ShowLegend(Alignment.UpperLeft);
    plot.SavePng(path, 1400, 500);
}
