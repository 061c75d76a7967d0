using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;

namespace MLNet.Lstm.Streaming;

/// <summary>
/// Behind <see cref="LstmAnomalyDetectionCatalog.CreateLstmDetector"/>: checks the history and
/// options, trains a next-step forecaster on the history's windows, and hands back an engine
/// that has read the history.
/// </summary>
internal static class AnomalyDetectorFit
{
    public static LstmTimeSeriesEngine Fit(IHostEnvironment env, ReadOnlySpan<float> history, LstmAnomalyDetectorOptions options) =>
        Fit(env, history, options, out _, out _);

    /// <summary>
    /// As <see cref="Fit(IHostEnvironment, ReadOnlySpan{float}, LstmAnomalyDetectorOptions)"/>, also
    /// giving what another engine needs to restore this one's checkpoint: the trained forecaster
    /// and the options the engine was made with.
    /// </summary>
    public static LstmTimeSeriesEngine Fit(IHostEnvironment env, ReadOnlySpan<float> history, LstmAnomalyDetectorOptions options,
        out LstmModel model, out LstmTimeSeriesOptions engineOptions)
    {
        int features = options.InputSize;
        Check(options);
        if (history.Length % features != 0)
        {
            throw LstmThrow.DetectorHistoryShape(history.Length, features);
        }
        int points = history.Length / features;
        // Training needs MinTrainingRows windows of at least 2 points; a short history gets shorter windows.
        int fewest = LstmDefaults.MinTrainingRows + 1;
        if (points < fewest)
        {
            throw LstmThrow.DetectorHistoryTooShort(points, fewest);
        }
        int bad = FiniteValues.FirstNonFinite(history);
        if (bad >= 0)
        {
            throw LstmThrow.DetectorHistoryNotFinite(bad / features, bad % features, history[bad]);
        }

        var values = history.ToArray();
        int window = Math.Min(options.WindowSize, points - LstmDefaults.MinTrainingRows + 1);
        var windows = MLNetEnvironment.FromEnumerable(env, SlidingWindows.Cut(values, features, window, stride: 1), SlidingWindows.Schema(window, features, annotate: true));
        // MaxSteps = null: the engine steps one point at a time, so a window is never pooled.
        var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, Epochs = options.Epochs, HiddenSize = options.HiddenSize, Seed = options.Seed, MaxSteps = null };
        using (var forecaster = new LstmFeaturizerEstimator(env, training, new LstmFeaturizerOptions()).Fit(windows))
        {
            model = forecaster.Model;
        }

        engineOptions = options.Scoring.Copy();
        engineOptions.TrainingPoints = points;
        var engine = model.CreateTimeSeriesEngine(engineOptions);
        try
        {
            for (int point = 0; point < points; point++)
            {
                engine.Predict(values.AsSpan(point * features, features));
            }
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        return engine;
    }

    /// <summary>Refuses an option out of range, naming it; the estimator calls it when it is made, long before training.</summary>
    public static void Check(LstmAnomalyDetectorOptions options)
    {
        if (options.InputSize < 1)
        {
            throw LstmThrow.DetectorOptionInvalid(nameof(options.InputSize), "at least 1 feature a point", options.InputSize);
        }
        if (options.WindowSize < 2)
        {
            throw LstmThrow.DetectorOptionInvalid(nameof(options.WindowSize), "at least 2 points, one to forecast from and one to learn", options.WindowSize);
        }
        if (options.Epochs < 1)
        {
            throw LstmThrow.DetectorOptionInvalid(nameof(options.Epochs), "at least 1 pass", options.Epochs);
        }
        if (options.HiddenSize < 1 || options.HiddenSize > LstmDefaults.MaxHiddenSize)
        {
            throw LstmThrow.DetectorOptionInvalid(nameof(options.HiddenSize), $"1 to {LstmDefaults.MaxHiddenSize}", options.HiddenSize);
        }
        if (options.Scoring is null)
        {
            throw LstmThrow.DetectorOptionInvalid(nameof(options.Scoring), "scoring options", "null");
        }
        if (options.Scoring.TrainingPoints != 0)
        {
            throw LstmThrow.DetectorOptionInvalid($"{nameof(options.Scoring)}.{nameof(LstmTimeSeriesOptions.TrainingPoints)}",
                "0: the detector counts the history's points as training points itself", options.Scoring.TrainingPoints);
        }
        // Before training, which takes seconds, rather than when the engine is made after it.
        LstmTimeSeriesEngine.CheckOptions(options.Scoring);
    }
}
