using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;

namespace MLNet.Lstm;

/// <summary>
/// The fitted series anomaly detector: a next-step LSTM forecaster trained on the history Fit
/// read, and the streaming engine's state at the end of that history. <see cref="Transform"/>
/// scores the rows of the data it is given as the series' continuation, in row order, and
/// appends a vector of 3 Single: [Alert (0 or 1), Score in [0, 1], Error], with those slot names.
/// </summary>
/// <remarks>
/// Each cursor starts from the end of the history with an engine of its own (one ONNX Runtime
/// session, freed when the cursor is disposed), so two cursors, or two Transform calls, give the
/// same scores. A row's score depends on every row before it, so the rows are always read in
/// order (shuffled cursors too), and there is no row-to-row mapper: PredictionEngine is not
/// supported; for live points use <see cref="LstmAnomalyDetectionCatalog.CreateLstmDetector"/>.
/// The first <see cref="LstmTimeSeriesOptions.WarmUpPoints"/> + 1 rows after the history score 0
/// while the error history fills with means of two errors, under the defaults (WarmUpPoints + the
/// averaging window − 1; one fewer with a window of 1); their Error is real. Save it in a model.zip with
/// <c>mlContext.Model.Save</c>; the loaded transformer gives bit-identical output.
/// </remarks>
/// <example>
/// <code>
/// using var detector = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value").Fit(history);
/// var anomalies = detector.Transform(latest).GetColumn&lt;float[]&gt;("Anomaly"); // [Alert, Score, Error] per row
/// </code>
/// </example>
public sealed partial class LstmAnomalyTransformer : ITransformer, IDisposable
{
    private readonly IHost _host;
    private readonly AnomalyColumns _columns;
    private readonly LstmTimeSeriesOptions _engineOptions;
    private readonly byte[] _checkpoint;
    private readonly DataViewType? _timestampType;
    private int _openEngines;
    private volatile bool _disposed;

    /// <param name="env">The host environment.</param>
    /// <param name="columns">The columns read and written.</param>
    /// <param name="alertThreshold">The score from which a row is an alert.</param>
    /// <param name="model">The forecaster.</param>
    /// <param name="engineOptions">The options of the engine that read the history.</param>
    /// <param name="checkpoint">That engine's checkpoint after the history.</param>
    /// <param name="timestampType">The type of the history's timestamps; null without a timestamp column.</param>
    /// <param name="lastTimestamp">The history's last timestamp, in its type's bytes; null without a timestamp column.</param>
    internal LstmAnomalyTransformer(IHostEnvironment env, AnomalyColumns columns, float alertThreshold, LstmModel model,
        LstmTimeSeriesOptions engineOptions, byte[] checkpoint, DataViewType? timestampType, byte[]? lastTimestamp)
    {
        _host = env.Register(nameof(LstmAnomalyTransformer));
        _columns = columns;
        AlertThreshold = alertThreshold;
        Model = model;
        _engineOptions = engineOptions;
        _checkpoint = checkpoint;
        _timestampType = timestampType;
        LastTimestamp = lastTimestamp;
    }

    /// <summary>The forecaster trained on the history; <c>Model.CreateTimeSeriesEngine</c> streams with it elsewhere.</summary>
    /// <example>
    /// <code>
    /// detector.Model.SaveOnnx("forecaster.onnx");
    /// </code>
    /// </example>
    public LstmModel Model { get; }

    /// <summary>The name of the [Alert, Score, Error] column this transformer appends.</summary>
    /// <example>
    /// <code>
    /// float[][] rows = detector.Transform(data).GetColumn&lt;float[]&gt;(detector.OutputColumnName).ToArray();
    /// </code>
    /// </example>
    public string OutputColumnName => _columns.Output;

    /// <summary>The Single columns holding the series, one feature each.</summary>
    /// <example>
    /// <code>
    /// int features = detector.InputColumnNames.Count;
    /// </code>
    /// </example>
    public IReadOnlyList<string> InputColumnNames => _columns.Inputs;

    /// <summary>The column whose values must strictly increase from row to row, after the history's last; null when there is none.</summary>
    /// <example>
    /// <code>
    /// bool timed = detector.TimestampColumnName is not null;
    /// </code>
    /// </example>
    public string? TimestampColumnName => _columns.Timestamp;

    /// <summary>The score from which a row's Alert is 1.</summary>
    /// <example>
    /// <code>
    /// Console.WriteLine($"alerts from a score of {detector.AlertThreshold}");
    /// </code>
    /// </example>
    public float AlertThreshold { get; }

    /// <summary>Points of history Fit read (and trained on); scoring continues after them.</summary>
    /// <example>
    /// <code>
    /// Console.WriteLine($"trained on {detector.HistoryPoints} points");
    /// </code>
    /// </example>
    public long HistoryPoints => _engineOptions.TrainingPoints;

    /// <summary>Always false: a row's score depends on the rows before it, so rows do not map one by one.</summary>
    /// <example>
    /// <code>
    /// bool usableInPredictionEngine = detector.IsRowToRowMapper; // false
    /// </code>
    /// </example>
    public bool IsRowToRowMapper => false;

    /// <summary>The history's last timestamp, in its type's bytes, which every cursor's first row must follow.</summary>
    internal byte[]? LastTimestamp { get; }

    /// <summary>Engines of open cursors, not yet freed.</summary>
    internal int OpenEngines => Volatile.Read(ref _openEngines);

    /// <summary>The input schema with the [Alert, Score, Error] column appended.</summary>
    /// <param name="inputSchema">The schema of the data to score.</param>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or not a Single; the timestamp column is missing or not of the type Fit read.</exception>
    /// <example>
    /// <code>
    /// var schema = detector.GetOutputSchema(data.Schema); // ..., Anomaly: Vector&lt;Single, 3&gt;
    /// </code>
    /// </example>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>
    /// Lazily appends the [Alert, Score, Error] column: each cursor scores the rows of
    /// <paramref name="input"/> in row order as the continuation of the history Fit read. A row
    /// holding NaN or infinity, or whose timestamp does not follow the one before it (the
    /// history's last, for the first row), stops the cursor with an exception naming the row.
    /// </summary>
    /// <param name="input">The data holding the series' column(s).</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <example>
    /// <code>
    /// foreach (var row in mlContext.Data.CreateEnumerable&lt;Scored&gt;(detector.Transform(latest), reuseRowObject: false))
    /// {
    ///     if (row.Anomaly[0] == 1) Console.WriteLine($"anomaly: {row.Value} (score {row.Anomaly[1]})");
    /// }
    /// </code>
    /// </example>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new LstmAnomalyDataView(input, Bind(input.Schema), this);
    }

    /// <summary>Not supported: a row's score depends on every row before it, so no row can be mapped alone.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    /// <example>
    /// <code>
    /// // Instead of a PredictionEngine, stream live points through the detector's engine:
    /// using var engine = mlContext.AnomalyDetection.CreateLstmDetector(history);
    /// </code>
    /// </example>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw LstmThrow.AnomalyNoRowToRowMapper();

    /// <summary>
    /// Stops new cursors (they throw <see cref="ObjectDisposedException"/>); cursors already open
    /// run to their end, and each frees its engine when disposed. The transformer itself holds no
    /// native resources, so disposing it while idle frees nothing more.
    /// </summary>
    /// <example>
    /// <code>
    /// using var detector = estimator.Fit(history); // disposed at the end of the scope
    /// </code>
    /// </example>
    public void Dispose() => _disposed = true;

    /// <summary>A new engine at the end of the history, owned by the caller until <see cref="ReleaseEngine"/>.</summary>
    internal LstmTimeSeriesEngine CreateEngine()
    {
        if (_disposed)
        {
            throw LstmThrow.AnomalyTransformerDisposed();
        }
        var engine = Model.CreateTimeSeriesEngine(_engineOptions);
        try
        {
            using var checkpoint = new MemoryStream(_checkpoint, writable: false);
            engine.Restore(checkpoint);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        Interlocked.Increment(ref _openEngines);
        return engine;
    }

    internal void ReleaseEngine(LstmTimeSeriesEngine engine)
    {
        engine.Dispose();
        Interlocked.Decrement(ref _openEngines);
    }

    private AnomalySeriesBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return AnomalySeriesBinding.Create(inputSchema, _columns, _timestampType);
    }
}
