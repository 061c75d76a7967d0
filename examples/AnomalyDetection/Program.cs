// Anomaly detection on four NAB series: sliding windows → an LSTM trained in .NET to forecast
// the next step on the first part of each series (NAB's probationary 15 %) → two anomaly
// scores per window: the mean squared next-step error (NextStepError), and RandomizedPca on
// the LSTM's representation. Reports point-level ROC AUC after the training part, and how many
// labelled windows raise an alarm at a threshold chosen on the training part; writes a PNG
// per series (series, labelled windows shaded, score). Settings: examples/Common/NabBenchmark.cs.
using MLNet.Lstm.Examples;
using ScottPlot;

string folder = Path.Combine(AppContext.BaseDirectory, "data", "NAB");
string plots = args.Length > 0 ? args[0] : Path.Combine(Directory.GetCurrentDirectory(), "anomaly-plots");
Directory.CreateDirectory(plots);

Console.WriteLine("| series | points | AUC, next-step error | AUC, PCA on representation | labelled windows with an alarm (next-step error) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
double aucSum = 0, pcaSum = 0;
foreach (var file in NabBenchmark.Files)
{
    var series = NabSeries.Load(folder, file);
    var result = NabBenchmark.Run(series);
    aucSum += result.Auc;
    pcaSum += result.PcaAuc;
    Console.WriteLine($"| {series.Name} | {series.Values.Length:N0} | {result.Auc:F3} | {result.PcaAuc:F3} | {result.Detected} of {series.Windows.Length} |");
    Plot(series, result.PointScores, result.Threshold, Path.Combine(plots, series.Name + ".png"));
}
Console.WriteLine($"| mean | | {aucSum / NabBenchmark.Files.Length:F3} | {pcaSum / NabBenchmark.Files.Length:F3} | |");
Console.WriteLine($"Plots written to {plots}");

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
