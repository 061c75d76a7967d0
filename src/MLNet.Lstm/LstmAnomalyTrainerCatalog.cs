using Microsoft.ML;
using MLNet.Lstm.MLNetInternals;

namespace MLNet.Lstm;

/// <summary>The LSTM anomaly detection trainer on <c>mlContext.AnomalyDetection.Trainers</c>, beside ML.NET's <c>RandomizedPca</c>.</summary>
/// <example>
/// <code>
/// using var detector = mlContext.AnomalyDetection.Trainers.Lstm("Sequence").Fit(normalWindows);
/// </code>
/// </example>
public static class LstmAnomalyTrainerCatalog
{
    /// <summary>
    /// Trains an LSTM anomaly detector for whole sequences, one a row: an LSTM learns to forecast
    /// each step of the training rows (mostly normal; unsupervised, no label) from the steps before
    /// it, and a row's <c>Score</c> (Single in [0, 1]) is its mean squared next-step error calibrated
    /// against the held-out training rows' errors; <c>PredictedLabel</c> (Boolean) is Score &gt;
    /// <see cref="LstmAnomalyTrainerOptions.Threshold"/>. Evaluate it with <c>mlContext.AnomalyDetection.Evaluate</c>.
    /// </summary>
    /// <param name="catalog">The anomaly detection trainers, <c>mlContext.AnomalyDetection.Trainers</c>.</param>
    /// <param name="featureColumnName">The column holding each row's sequence: a vector of Single, T × F values time-major (F from its <see cref="LstmAnnotations.InputSize"/> annotation or <see cref="LstmAnomalyTrainerOptions.InputSize"/>, else 1). Default "Features".</param>
    /// <param name="options">The forecaster's training and the threshold; null for the defaults.</param>
    /// <returns>The trainer: an estimator whose <c>Fit</c> trains on the rows it is given.</returns>
    /// <exception cref="ArgumentException"><paramref name="featureColumnName"/> is empty, or an option is out of range (named in the message).</exception>
    /// <example>
    /// <code>
    /// var mlContext = new MLContext(seed: 1);
    /// IDataView normal = mlContext.Data.LoadFromEnumerable(normalWindows, schema); // "Sequence": T floats a row
    /// using var detector = mlContext.AnomalyDetection.Trainers.Lstm("Sequence", new LstmAnomalyTrainerOptions { Seed = 1 }).Fit(normal);
    /// // The evaluator takes a Single label: 1 for an anomaly, 0 for a normal row.
    /// var metrics = mlContext.AnomalyDetection.Evaluate(detector.Transform(test), labelColumnName: "Anomaly", falsePositiveCount: 5);
    /// Console.WriteLine($"AUC {metrics.AreaUnderRocCurve:F3}, detection rate at 5 false positives {metrics.DetectionRateAtFalsePositiveCount:F3}");
    /// </code>
    /// </example>
    public static LstmAnomalyTrainer Lstm(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = LstmDefaults.AnomalyFeatureColumnName, LstmAnomalyTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureColumnName);
        return new LstmAnomalyTrainer(MLNetEnvironment.Of(catalog), featureColumnName, options ?? new LstmAnomalyTrainerOptions());
    }
}
