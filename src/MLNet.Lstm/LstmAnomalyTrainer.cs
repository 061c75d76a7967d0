using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;

namespace MLNet.Lstm;

/// <summary>
/// An unsupervised anomaly detector for whole sequences, one a row (windows of a series, a
/// machine's cycle, a heartbeat), in the mold of ML.NET's <c>RandomizedPca</c>. Create it with
/// <see cref="LstmAnomalyTrainerCatalog.Lstm"/>. <c>Fit</c> trains an LSTM to forecast each step
/// of the training rows (mostly normal; no label) from the steps before it
/// (<see cref="LstmObjective.NextStep"/>), then scores each row by its mean squared next-step
/// error (<see cref="LstmRepresentation.NextStepError"/>), calibrated against the held-out training rows' errors.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Needs to look at the data to train</term><description>Yes: the LSTM is trained on the rows, and their errors calibrate the score.</description></item>
/// <item><term>Needs a label</term><description>No.</description></item>
/// <item><term>Input column</term><description>A vector of Single holding T × F values time-major; known-size, or variable-size for sequences of different lengths.</description></item>
/// <item><term>Output columns</term><description><c>Score</c> (Single in [0, 1]) and <c>PredictedLabel</c> (Boolean), as <see cref="LstmAnomalyPredictionTransformer"/> describes.</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var trainer = mlContext.AnomalyDetection.Trainers.Lstm("Sequence");
/// using var detector = trainer.Fit(normalWindows);
/// var metrics = mlContext.AnomalyDetection.Evaluate(detector.Transform(test), labelColumnName: "Anomaly");
/// </code>
/// </example>
public sealed class LstmAnomalyTrainer : IEstimator<LstmAnomalyPredictionTransformer>
{
    // The featurizer's output, never seen outside: the transformer replaces it by Score and PredictedLabel.
    private const string ErrorColumnName = "NextStepError";

    private readonly IHostEnvironment _env;
    private readonly LstmTrainingOptions _training;
    private readonly LstmFeaturizerOptions _featurizer;
    private readonly float _threshold;
    private readonly double _calibrationFraction;

    internal LstmAnomalyTrainer(IHostEnvironment env, string featureColumnName, LstmAnomalyTrainerOptions options)
    {
        _env = env;
        options = options.Validated();
        _training = new LstmTrainingOptions
        {
            Objective = LstmObjective.NextStep,
            InputSize = options.InputSize,
            HiddenSize = options.HiddenSize,
            Epochs = options.Epochs,
            MaxSteps = options.MaxSteps,
            Seed = options.Seed,
        }.Validated();
        _featurizer = new LstmFeaturizerOptions
        {
            InputColumnNames = [featureColumnName],
            OutputColumnName = ErrorColumnName,
            Representation = LstmRepresentation.NextStepError,
            SequenceLengthColumnName = options.SequenceLengthColumnName,
        }.Validated();
        _threshold = options.Threshold;
        _calibrationFraction = options.CalibrationFraction;
    }

    /// <summary>
    /// Checks the sequence column, trains the forecaster on <paramref name="input"/>'s rows, and
    /// calibrates the score against their next-step errors.
    /// </summary>
    /// <param name="input">The training rows, mostly normal; any label column is ignored.</param>
    /// <returns>The detector; dispose it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing or of the wrong type or length (before any training).</exception>
    /// <exception cref="InvalidOperationException">A training row holds NaN or infinity (named by its index), too few rows, or none long enough to forecast a step.</exception>
    /// <example>
    /// <code>
    /// using var detector = mlContext.AnomalyDetection.Trainers.Lstm().Fit(normalWindows);
    /// </code>
    /// </example>
    public LstmAnomalyPredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string column = _featurizer.InputColumnNames[0];
        // Before training, which would name its own LstmTrainingOptions.InputSize, not the option the caller set.
        if (_training.InputSize is int inputSize && InputSizeAnnotation.Read(input.Schema, _featurizer.InputColumnNames) is int annotated && annotated != inputSize)
        {
            throw LstmThrow.AnomalyTrainerInputSizeDisagrees(column, annotated, inputSize);
        }
        var (training, calibrating) = Split(input, column);
        var featurizer = new LstmFeaturizerEstimator(_env, _training, _featurizer).Fit(training);
        try
        {
            var errors = Errors(featurizer.Transform(calibrating), input.Schema.Count);
            var calibration = NextStepErrorCalibration.Fit(errors)
                ?? throw LstmThrow.AnomalyTrainerNoNextStep(column, errors.Count, featurizer.Model.Graph.PoolingStride);
            return new LstmAnomalyPredictionTransformer(_env, featurizer, calibration, _threshold);
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The rows to train on and those whose errors calibrate the score: <see cref="LstmAnomalyTrainerOptions.CalibrationFraction"/>
    /// of them held out, evenly spread, at least <see cref="LstmDefaults.MinCalibrationRows"/>,
    /// leaving at least as many to train on.
    /// </summary>
    private (IDataView Training, IDataView Calibrating) Split(IDataView input, string column)
    {
        if (_calibrationFraction == 0)
        {
            return (input, input);
        }
        long rows = CheckedRows(input, column);
        long heldOut = Math.Max((long)Math.Round(rows * _calibrationFraction), LstmDefaults.MinCalibrationRows);
        if (rows - heldOut < LstmDefaults.MinCalibrationRows)
        {
            throw LstmThrow.AnomalyTrainerTooFewRowsToCalibrate(column, rows, _calibrationFraction);
        }
        return (RowPositionSplit.Rows(input, rows, heldOut, held: false), RowPositionSplit.Rows(input, rows, heldOut, held: true));
    }

    // Counts the rows and refuses a non-finite value here, where its row number is the caller's,
    // not its position among the rows kept for training.
    private static long CheckedRows(IDataView input, string column)
    {
        var sequence = input.Schema.GetColumnOrNull(column);
        if (sequence is not { Type: VectorDataViewType { ItemType: NumberDataViewType n } } || n != NumberDataViewType.Single)
        {
            // The featurizer names what is wrong with the column.
            return input.GetRowCount() ?? 0;
        }
        using var cursor = input.GetRowCursor([sequence.Value]);
        var getter = cursor.GetGetter<VBuffer<float>>(sequence.Value);
        VBuffer<float> values = default;
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref values);
            if (FiniteValues.FirstNonFinite(values.GetValues()) >= 0)
            {
                throw LstmThrow.TrainingRowNotFinite(checked((int)rows));
            }
            rows++;
        }
        return rows;
    }

    /// <summary>The input schema shape with Score (Single) and PredictedLabel (Boolean) appended.</summary>
    /// <param name="inputSchema">The shape of the data the pipeline will see.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing or not a vector of Single.</exception>
    /// <example>
    /// <code>
    /// // ML.NET's pipelines call this to check a chain before fitting it.
    /// SchemaShape output = trainer.GetOutputSchema(inputShape);
    /// </code>
    /// </example>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        AnomalyScoreSchemaShape.Append(inputSchema, _featurizer, _training.InputSizeFor(_featurizer));

    /// <summary>Every row's next-step error, read from the featurizer's output column at <paramref name="errorIndex"/>.</summary>
    private static List<float> Errors(IDataView featurized, int errorIndex)
    {
        var column = featurized.Schema[errorIndex];
        using var cursor = featurized.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> error = default;
        var errors = new List<float>();
        while (cursor.MoveNext())
        {
            getter(ref error);
            errors.Add(error.GetValues()[0]);
        }
        return errors;
    }
}
