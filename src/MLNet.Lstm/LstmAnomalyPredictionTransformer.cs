using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;

namespace MLNet.Lstm;

/// <summary>
/// The fitted LSTM anomaly detector of <see cref="LstmAnomalyTrainerCatalog.Lstm"/>: appends
/// <c>Score</c> (Single in [0, 1], higher is more anomalous) and <c>PredictedLabel</c> (Boolean,
/// Score &gt; <see cref="Threshold"/>) to each row, from the mean squared next-step error of
/// the row's sequence (<see cref="LstmRepresentation.NextStepError"/>, computed lazily by ONNX
/// Runtime in batches of rows). All input columns pass through. Save it in a model.zip with
/// <c>mlContext.Model.Save</c> like any ML.NET transformer.
/// </summary>
/// <remarks>
/// The score is the error calibrated against the held-out training rows' errors: Φ((ln e − m) / s), m the
/// median of their log errors and s their median absolute deviation × 1.4826. It increases with
/// the error, so it ranks rows as the error does, and 0.99 means an error above what 99 % of
/// rows like the training ones would show, were their log errors normal. A row holding NaN or
/// infinity, or one the LSTM reads as a single step (nothing to forecast), scores NaN, ML.NET's
/// missing value, and is not flagged. The transformer owns an ONNX Runtime session: dispose it
/// (a <c>TransformerChain</c> disposes it with the chain).
/// </remarks>
/// <example>
/// <code>
/// using var detector = mlContext.AnomalyDetection.Trainers.Lstm("Sequence").Fit(normalWindows);
/// IDataView scored = detector.Transform(newWindows); // ..., Score: Single, PredictedLabel: Boolean
/// </code>
/// </example>
public sealed partial class LstmAnomalyPredictionTransformer : ITransformer, IDisposable
{
    private readonly IHost _host;
    private readonly LstmFeaturizerTransformer _featurizer;
    private readonly NextStepErrorCalibration _calibration;

    internal LstmAnomalyPredictionTransformer(IHostEnvironment env, LstmFeaturizerTransformer featurizer, NextStepErrorCalibration calibration, float threshold)
    {
        _host = env.Register(nameof(LstmAnomalyPredictionTransformer));
        _featurizer = featurizer;
        _calibration = calibration;
        Threshold = threshold;
    }

    /// <summary>The trained LSTM and its next-step head; <c>Model.SaveOnnx(path)</c> reuses it elsewhere.</summary>
    /// <example>
    /// <code>
    /// detector.Model.SaveOnnx("forecaster.onnx");
    /// using var engine = detector.Model.CreateTimeSeriesEngine(); // the same forecaster, one point at a time
    /// </code>
    /// </example>
    public LstmModel Model => _featurizer.Model;

    /// <summary>The column holding each row's sequence (T × F values, time-major).</summary>
    /// <example>
    /// <code>
    /// Console.WriteLine(detector.FeatureColumnName); // "Features"
    /// </code>
    /// </example>
    public string FeatureColumnName => _featurizer.InputColumnNames[0];

    /// <summary>PredictedLabel is true where Score is above this (<see cref="LstmAnomalyTrainerOptions.Threshold"/>).</summary>
    /// <example>
    /// <code>
    /// bool flagged = prediction.Score &gt; detector.Threshold; // prediction.PredictedLabel
    /// </code>
    /// </example>
    public float Threshold { get; }

    /// <summary>Always true: rows map one to one, so <c>PredictionEngine</c> works.</summary>
    /// <example>
    /// <code>
    /// using var engine = mlContext.Model.CreatePredictionEngine&lt;Window, Prediction&gt;(detector);
    /// </code>
    /// </example>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with Score (Single) and PredictedLabel (Boolean) appended.</summary>
    /// <param name="inputSchema">The schema of the data to score.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// var schema = detector.GetOutputSchema(data.Schema); // ..., Score: Single, PredictedLabel: Boolean
    /// </code>
    /// </example>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>
    /// Lazily appends Score and PredictedLabel; ONNX Runtime runs as a cursor pulls rows, in
    /// batches, and only for cursors that read either column.
    /// </summary>
    /// <param name="input">The data holding the sequence column.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// var metrics = mlContext.AnomalyDetection.Evaluate(detector.Transform(test), labelColumnName: "Anomaly");
    /// </code>
    /// </example>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var binding = Bind(input.Schema);
        return new AnomalyScoreDataView(_featurizer.Transform(input), binding);
    }

    /// <summary>A mapper of single rows, used by <c>PredictionEngine</c>.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sequence column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// // PredictionEngine uses it; direct use is rare.
    /// using var engine = mlContext.Model.CreatePredictionEngine&lt;Window, Prediction&gt;(detector);
    /// </code>
    /// </example>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        var binding = Bind(inputSchema);
        return new AnomalyScoreRowMapper(_featurizer.GetRowToRowMapper(inputSchema), binding);
    }

    /// <summary>ONNX Runtime calls made so far, all cursors together.</summary>
    internal long OnnxRuntimeCalls => _featurizer.OnnxRuntimeCalls;

    /// <summary>
    /// Releases the transformer's hold on the ONNX Runtime session, as
    /// <see cref="LstmFeaturizerTransformer.Dispose"/> does: cursors and PredictionEngines already
    /// created run to their end, new ones throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// using var detector = trainer.Fit(data); // disposed at the end of the scope
    /// </code>
    /// </example>
    public void Dispose() => _featurizer.Dispose();

    private AnomalyScoreBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        // The featurizer's own checks of the sequence column, with its messages.
        _featurizer.GetOutputSchema(inputSchema);
        return new AnomalyScoreBinding(inputSchema, _calibration, Threshold);
    }
}
