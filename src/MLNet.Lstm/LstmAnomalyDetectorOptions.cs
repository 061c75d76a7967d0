namespace MLNet.Lstm;

/// <summary>
/// Options of <see cref="LstmAnomalyDetectionCatalog.CreateLstmDetector"/>: the forecaster it
/// trains on the series' history, and how forecast errors become anomaly scores.
/// </summary>
/// <example>
/// <code>
/// using var detector = mlContext.AnomalyDetection.CreateLstmDetector(history,
///     new LstmAnomalyDetectorOptions { InputSize = 3, WindowSize = 96 });
/// </code>
/// </example>
public sealed class LstmAnomalyDetectorOptions
{
    /// <summary>Features per point (F); the history holds its points time-major. Default 1.</summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { InputSize = 3 }; // temperature, pressure, vibration per point
    /// </code>
    /// </example>
    public int InputSize { get; set; } = 1;

    /// <summary>
    /// Points per training window: the forecaster learns the next point from up to this many
    /// before it. Default 48 (four hours of 5-minute points); a history too short for 4 windows of
    /// this size trains on 4 shorter ones.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { WindowSize = 288 }; // a day of 5-minute points
    /// </code>
    /// </example>
    public int WindowSize { get; set; } = LstmDefaults.DetectorWindowSize;

    /// <summary>
    /// Passes over the history's windows. Default 5: on the NAB corpus a lightly trained LSTM's
    /// states and errors tell anomalies apart better than one trained to convergence (30 passes:
    /// 59.3 against 65.0 at seed 1), which fits the history's noise; about 0.25 s for a 750-point history.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { Epochs = 100 };
    /// </code>
    /// </example>
    public int Epochs { get; set; } = LstmDefaults.DetectorEpochs;

    /// <summary>Hidden units of the forecaster's LSTM. Default 64.</summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { HiddenSize = 32 };
    /// </code>
    /// </example>
    public int HiddenSize { get; set; } = LstmDefaults.HiddenSize;

    /// <summary>Seed of the forecaster's initial weights and shuffling: the same history and options give the same scores. Default 0.</summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { Seed = 1 };
    /// </code>
    /// </example>
    public int Seed { get; set; }

    /// <summary>
    /// How forecast errors become scores (averaging, error history, warm-up, threads); see
    /// <see cref="LstmTimeSeriesOptions"/>. Its <see cref="LstmTimeSeriesOptions.TrainingPoints"/>
    /// must stay 0: the detector sets it to the history's points, which the forecaster was trained on.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyDetectorOptions { Scoring = new LstmTimeSeriesOptions { HistoryLength = 2016 } }; // a week of 5-minute points
    /// </code>
    /// </example>
    public LstmTimeSeriesOptions Scoring { get; set; } = new();

    /// <summary>
    /// A copy with <paramref name="inputSize"/> features a point (the estimator's columns decide
    /// it), its <see cref="Scoring"/> copied too: options changed after the estimator was built
    /// must not change what its Fit does.
    /// </summary>
    internal LstmAnomalyDetectorOptions WithInputSize(int inputSize)
    {
        var copy = (LstmAnomalyDetectorOptions)MemberwiseClone();
        copy.InputSize = inputSize;
        copy.Scoring = Scoring?.Copy()!;
        return copy;
    }
}
