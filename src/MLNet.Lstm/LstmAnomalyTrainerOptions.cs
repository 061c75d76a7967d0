using static System.FormattableString;

namespace MLNet.Lstm;

/// <summary>
/// Options of <see cref="LstmAnomalyTrainerCatalog.Lstm"/>: the next-step forecaster it trains
/// on the training rows, and the threshold that turns scores into flags. The trainer checks and
/// copies them when it is built: changing them afterwards does not change what its <c>Fit</c> does.
/// </summary>
/// <example>
/// <code>
/// var trainer = mlContext.AnomalyDetection.Trainers.Lstm("Sequence", new LstmAnomalyTrainerOptions
/// {
///     HiddenSize = 32,
///     Epochs = 40,
///     Threshold = 0.999f,
///     Seed = 1,
/// });
/// </code>
/// </example>
public sealed class LstmAnomalyTrainerOptions
{
    /// <summary>
    /// Features per step (F) of the sequence column, which holds T × F values time-major. Null
    /// (default): the column's <see cref="LstmAnnotations.InputSize"/> annotation
    /// (<c>LoadFromTsFile</c> and <c>CreateSlidingWindows</c> write it), else 1; a value that
    /// disagrees with the annotation is refused at <c>Fit</c>.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { InputSize = 3 }; // temperature, pressure, vibration per step
    /// </code>
    /// </example>
    public int? InputSize { get; set; }

    /// <summary>
    /// Optional numeric column holding each row's number of steps, for sequences padded into
    /// known-size vectors: steps past the length are ignored, in training and scoring. Null
    /// (default): every value belongs to the sequence; a variable-size vector column holds
    /// sequences of any length without it.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { SequenceLengthColumnName = "Length" };
    /// </code>
    /// </example>
    public string? SequenceLengthColumnName { get; set; }

    /// <summary>Hidden units of the forecaster's LSTM. Default 64; at most 23,170.</summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { HiddenSize = 32 };
    /// </code>
    /// </example>
    public int HiddenSize { get; set; } = LstmDefaults.HiddenSize;

    /// <summary>
    /// Passes over the training rows. Default null: as many as give about 8,000 gradient steps
    /// (5 to 2,000 epochs), as <see cref="LstmTrainingOptions.Epochs"/> chooses them.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { Epochs = 30 }; // a quicker fit on a large set
    /// </code>
    /// </example>
    public int? Epochs { get; set; }

    /// <summary>
    /// Longest sequence, in steps, the LSTM reads: longer rows are averaged over consecutive steps
    /// (one stride for all rows, from the training rows' median length) down to at most this many,
    /// as <see cref="LstmTrainingOptions.MaxSteps"/> does. Default 64; null reads every step.
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { MaxSteps = null }; // a one-step spike must not be averaged away
    /// </code>
    /// </example>
    public int? MaxSteps { get; set; } = LstmDefaults.MaxSteps;

    /// <summary>Seed of the initial weights and the shuffling: the same rows and options give the same scores. Default 0.</summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { Seed = 1 };
    /// </code>
    /// </example>
    public int Seed { get; set; }

    /// <summary>
    /// Share of the training rows held out of training whose errors calibrate Score: errors of
    /// rows the LSTM never learned, as new normal rows' will be. The held-out rows are spread evenly
    /// over the data (rows 5, 10, 15, … for 0.2), at least 5 of them, leaving at least 5 to train
    /// on. Default 0.2; 0 trains on every row and calibrates on their own, in-sample errors, which
    /// run low, so that new normal rows score high (GunPoint's 24 Guns: 20 % of its test Guns
    /// flagged at the default threshold with HiddenSize 16, 60–72 % with 64; none held out).
    /// </summary>
    /// <example>
    /// <code>
    /// var options = new LstmAnomalyTrainerOptions { CalibrationFraction = 0.3 };
    /// </code>
    /// </example>
    public double CalibrationFraction { get; set; } = LstmDefaults.AnomalyCalibrationFraction;

    /// <summary>
    /// PredictedLabel is true where Score is above this; from 0 to 1. Default 0.99: a row whose error
    /// is above what 99 % of held-out normal rows show, were their log errors normal
    /// (<see cref="CalibrationFraction"/>). Score never depends on it.
    /// </summary>
    public float Threshold { get; set; } = LstmDefaults.AnomalyThreshold;

    /// <summary>A checked copy, kept by the trainer.</summary>
    internal LstmAnomalyTrainerOptions Validated()
    {
        if (InputSize is int inputSize && inputSize < 1)
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(InputSize), "null (from the data) or at least 1 feature a step", inputSize);
        }
        if (HiddenSize < 1 || HiddenSize > LstmDefaults.MaxHiddenSize)
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(HiddenSize), Invariant($"1 to {LstmDefaults.MaxHiddenSize} units"), HiddenSize);
        }
        if (Epochs is int epochs && epochs < 1)
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(Epochs), "null (chosen from the data size) or at least 1 pass", epochs);
        }
        if (MaxSteps is int maxSteps && maxSteps < 1)
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(MaxSteps), "null (every step) or at least 1 step", maxSteps);
        }
        if (!(CalibrationFraction >= 0 && CalibrationFraction < 1))
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(CalibrationFraction), "a share from 0 (calibrate on the training rows) to below 1", CalibrationFraction);
        }
        if (!(Threshold >= 0 && Threshold <= 1))
        {
            throw LstmThrow.AnomalyTrainerOptionInvalid(nameof(Threshold), "a score from 0 to 1", Threshold);
        }
        return (LstmAnomalyTrainerOptions)MemberwiseClone();
    }
}
