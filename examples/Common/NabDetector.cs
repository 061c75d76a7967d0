using System.Diagnostics;
using Microsoft.ML;
using MLNet.Lstm;
using MLNet.Lstm.Evaluation;

namespace MLNet.Lstm.Examples;

/// <summary>
/// The LSTM detector on NAB, by NAB's rules: per series, the library's streaming detector
/// (<c>mlContext.AnomalyDetection.CreateLstmDetector</c>) learns to forecast the next point from
/// the probationary period only, then scores every later point one LSTM step at a time, its
/// anomaly score the detector's. Nothing looks ahead.
/// </summary>
public static class NabDetector
{
    /// <summary>The detector's name in NAB's results layout.</summary>
    public const string Name = "mlnetLstm";

    /// <summary>
    /// Scores one series: 0 for the probationary points (the detector's history, in-sample), then
    /// one score in [0, 1] per point. <paramref name="streaming"/> times the later points alone.
    /// </summary>
    public static double[] Score(NabSeries series, Stopwatch streaming, int seed = 1)
    {
        var mlContext = new MLContext(seed: seed);
        var values = new float[series.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)series.Values[i];
        }
        int probationary = series.ProbationaryLength;
        using var detector = mlContext.AnomalyDetection.CreateLstmDetector(values.AsSpan(0, probationary), new LstmAnomalyDetectorOptions { Seed = seed });
        var scores = new double[series.Length];
        streaming.Start();
        for (int i = probationary; i < scores.Length; i++)
        {
            scores[i] = detector.Predict(values[i]).Score;
        }
        streaming.Stop();
        return scores;
    }

    /// <summary>Fits and streams every series of the corpus; <paramref name="progress"/> hears one line per series.</summary>
    public static NabRun Run(IReadOnlyList<NabSeries> corpus, Action<string>? progress = null)
    {
        var scores = new List<double[]>(corpus.Count);
        var total = Stopwatch.StartNew();
        var streaming = new Stopwatch();
        long points = 0;
        foreach (var series in corpus)
        {
            scores.Add(Score(series, streaming));
            points += series.Length - series.ProbationaryLength;
            progress?.Invoke($"{series.Name}: {series.Length:N0} points, fitted on {series.ProbationaryLength}");
        }
        return new NabRun(scores, total.Elapsed - streaming.Elapsed, streaming.Elapsed, points);
    }
}

/// <summary>What <see cref="NabDetector.Run"/> produced.</summary>
/// <param name="Scores">Each series' per-point anomaly scores, in corpus order.</param>
/// <param name="Training">Time spent fitting the detectors on the probationary periods (training, and reading the history).</param>
/// <param name="Streaming">Time spent scoring the points after the probationary periods.</param>
/// <param name="Points">Points scored after the probationary periods.</param>
public sealed record NabRun(IReadOnlyList<double[]> Scores, TimeSpan Training, TimeSpan Streaming, long Points)
{
    /// <summary>Streaming throughput: points per second on one thread, training excluded.</summary>
    public double PointsPerSecond => Points / Streaming.TotalSeconds;
}
