using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;
using MLNet.Lstm.Streaming;

namespace MLNet.Lstm;

/// <summary>
/// Anomaly detection over a series held in row order, as ML.NET's time-series transforms
/// (<c>DetectIidSpike</c>, <c>DetectSpikeBySsa</c>) do it. Create it with
/// <see cref="LstmCatalog.DetectAnomalyByLstm(TransformsCatalog, string, string, LstmAnomalyDetectorOptions?, string?, float)"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Needs to look at the data to train</term><description>Yes: Fit reads every row, in order, as the series' history, trains the forecaster of <see cref="LstmAnomalyDetectionCatalog.CreateLstmDetector"/> on it and streams it through the engine.</description></item>
/// <item><term>Input columns</term><description>One Single per row for each feature; optionally a DateTime or numeric timestamp.</description></item>
/// <item><term>Output column</term><description>A vector of 3 Single: [Alert, Score, Error] (slot names).</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.CopyColumns("Value", "Reading")
///     .Append(mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value"));
/// using var model = pipeline.Fit(history);
/// </code>
/// </example>
public sealed class LstmAnomalyEstimator : IEstimator<LstmAnomalyTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly AnomalyColumns _columns;
    private readonly LstmAnomalyDetectorOptions _options;
    private readonly float _alertThreshold;

    /// <param name="env">The host environment.</param>
    /// <param name="columns">The columns read and written.</param>
    /// <param name="options">The detector's options, with <see cref="LstmAnomalyDetectorOptions.InputSize"/> the number of input columns.</param>
    /// <param name="alertThreshold">The score from which a row is an alert.</param>
    internal LstmAnomalyEstimator(IHostEnvironment env, AnomalyColumns columns, LstmAnomalyDetectorOptions options, float alertThreshold)
    {
        _env = env;
        _columns = columns;
        _options = options;
        _alertThreshold = alertThreshold;
        AnomalyDetectorFit.Check(options);
    }

    /// <summary>
    /// Reads the input column(s) of every row of <paramref name="input"/>, in row order, as the
    /// series' history, trains the forecaster on it and keeps the engine's state at its end.
    /// </summary>
    /// <param name="input">The history: at least 5 rows.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">The history is shorter than 5 rows.</exception>
    /// <exception cref="InvalidOperationException">A row holds NaN or infinity, or its timestamp does not follow the one before it.</exception>
    /// <example>
    /// <code>
    /// using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value").Fit(history);
    /// </code>
    /// </example>
    public LstmAnomalyTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var binding = AnomalySeriesBinding.Create(input.Schema, _columns, timestampType: null);
        var (history, lastTimestamp) = ReadHistory(input, binding);
        using var engine = AnomalyDetectorFit.Fit(_env, CollectionsMarshal.AsSpan(history), _options, out var model, out var engineOptions);
        using var checkpoint = new MemoryStream();
        engine.CheckPoint(checkpoint);
        return new LstmAnomalyTransformer(_env, _columns, _alertThreshold, model, engineOptions, checkpoint.ToArray(), binding.Timestamp?.Type, lastTimestamp);
    }

    /// <summary>The input schema shape with the [Alert, Score, Error] column (a vector of Single) appended.</summary>
    /// <param name="inputSchema">The shape of the data the pipeline will see.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <example>
    /// <code>
    /// // ML.NET's pipelines call this to check a chain before fitting it.
    /// SchemaShape output = estimator.GetOutputSchema(inputShape);
    /// </code>
    /// </example>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => LstmAnomalySchemaShape.Append(inputSchema, _columns);

    /// <summary>The series time-major, and its last timestamp in its type's bytes.</summary>
    private static (List<float> History, byte[]? LastTimestamp) ReadHistory(IDataView input, AnomalySeriesBinding binding)
    {
        var history = new List<float>();
        var point = new float[binding.FeatureIndices.Length];
        using var cursor = input.GetRowCursor(binding.SourceColumns(new bool[binding.OutputSchema.Count], scored: true));
        var reader = new SeriesPointReader(cursor, binding, after: null);
        for (long row = 0; cursor.MoveNext(); row++)
        {
            reader.Read(row, point);
            history.AddRange(point);
        }
        return (history, reader.LastTimestamp);
    }
}
