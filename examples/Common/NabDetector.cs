using System.Diagnostics;
using Microsoft.ML;
using MLNet.Lstm;
using MLNet.Lstm.Evaluation;

namespace MLNet.Lstm.Examples;

/// <summary>
/// The LSTM detector on NAB, by NAB's rules: an LSTM learns to forecast the next point from the
/// series' probationary period only (sliding windows of <see cref="Window"/> points, the
/// library's <see cref="LstmObjective.NextStep"/>), then a <see cref="LstmTimeSeriesEngine"/>
/// streams the whole series one point at a time, and its anomaly score is the detector's.
/// Nothing looks ahead.
/// </summary>
public static class NabDetector
{
    /// <summary>The detector's name in NAB's results layout.</summary>
    public const string Name = "mlnetLstm";

    /// <summary>Points per training window: four hours of NAB's usual 5-minute points.</summary>
    public const int Window = 48;

    /// <summary>
    /// Passes over the probationary windows. The default epoch count (8,000 optimiser steps)
    /// takes ~7 s a series; 30 passes over at most 750 points take ~1.5 s.
    /// </summary>
    public const int Epochs = 30;

    /// <summary>Trains the forecaster on the series' probationary period.</summary>
    public static LstmModel Train(NabSeries series, int seed = 1)
    {
        var mlContext = new MLContext(seed: seed);
        int probationary = series.ProbationaryLength;
        var training = new float[probationary];
        for (int i = 0; i < probationary; i++)
        {
            training[i] = (float)series.Values[i];
        }
        var windows = mlContext.Data.CreateSlidingWindows(training, Math.Min(Window, probationary));
        var options = new LstmTrainingOptions { Objective = LstmObjective.NextStep, Epochs = Epochs, Seed = seed };
        using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(options).Fit(windows);
        return forecaster.Model;
    }

    /// <summary>Streams every value of the series through a time-series engine of <paramref name="model"/>: one score in [0, 1] per point.</summary>
    public static double[] Stream(LstmModel model, NabSeries series)
    {
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = series.ProbationaryLength });
        var scores = new double[series.Length];
        var values = series.Values;
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = engine.Predict((float)values[i]).Score;
        }
        return scores;
    }

    /// <summary>Trains and streams every series of the corpus; <paramref name="progress"/> hears one line per series.</summary>
    public static NabRun Run(IReadOnlyList<NabSeries> corpus, Action<string>? progress = null)
    {
        var scores = new List<double[]>(corpus.Count);
        var training = new Stopwatch();
        var streaming = new Stopwatch();
        long points = 0;
        foreach (var series in corpus)
        {
            training.Start();
            var model = Train(series);
            training.Stop();
            streaming.Start();
            scores.Add(Stream(model, series));
            streaming.Stop();
            points += series.Length;
            progress?.Invoke($"{series.Name}: {series.Length:N0} points, trained on {series.ProbationaryLength}");
        }
        return new NabRun(scores, training.Elapsed, streaming.Elapsed, points);
    }
}

/// <summary>What <see cref="NabDetector.Run"/> produced.</summary>
/// <param name="Scores">Each series' per-point anomaly scores, in corpus order.</param>
/// <param name="Training">Time spent training the forecasters.</param>
/// <param name="Streaming">Time spent streaming every point through the engines.</param>
/// <param name="Points">Points streamed.</param>
public sealed record NabRun(IReadOnlyList<double[]> Scores, TimeSpan Training, TimeSpan Streaming, long Points)
{
    /// <summary>Streaming throughput: points per second on one thread, training excluded.</summary>
    public double PointsPerSecond => Points / Streaming.TotalSeconds;
}
