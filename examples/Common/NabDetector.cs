using Microsoft.ML;
using MLNet.Lstm;

namespace MLNet.Lstm.Examples;

/// <summary>
/// The LSTM detector on NAB, by NAB's rules: an LSTM learns to forecast the next point from the
/// series' probationary period only (sliding windows of <see cref="Window"/> points, the
/// library's <see cref="LstmObjective.NextStep"/> with its defaults), then a
/// <see cref="LstmTimeSeriesEngine"/> streams the whole series one point at a time, and its
/// anomaly likelihood is the score. Nothing looks ahead.
/// </summary>
public static class NabDetector
{
    /// <summary>Points per training window: four hours of NAB's usual 5-minute points.</summary>
    public const int Window = 48;

    /// <summary>
    /// Passes over the probationary windows. The default epoch count (8,000 optimiser steps)
    /// would take ~40 s a series; 30 passes over at most 750 points learn their shape in ~4 s.
    /// </summary>
    public const int Epochs = 30;

    /// <summary>Trains the forecaster on the first <paramref name="probationary"/> values.</summary>
    public static LstmModel Train(ReadOnlySpan<double> values, int probationary, int seed = 1)
    {
        var mlContext = new MLContext(seed: seed);
        var training = new float[probationary];
        for (int i = 0; i < probationary; i++)
        {
            training[i] = (float)values[i];
        }
        var windows = mlContext.Data.CreateSlidingWindows(training, Math.Min(Window, probationary));
        var options = new LstmTrainingOptions { Objective = LstmObjective.NextStep, Epochs = Epochs, Seed = seed };
        using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(options).Fit(windows);
        return forecaster.Model;
    }

    /// <summary>
    /// Streams every value through a time-series engine of <paramref name="model"/>: one score in
    /// [0, 1] per point. The first <paramref name="probationary"/> points are the ones it learned from.
    /// </summary>
    public static double[] Stream(LstmModel model, ReadOnlySpan<double> values, int probationary)
    {
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions { TrainingPoints = probationary });
        var scores = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            scores[i] = engine.Predict((float)values[i]).Score;
        }
        return scores;
    }
}
