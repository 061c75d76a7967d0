using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm;

/// <summary>
/// The fitted featurizer: appends a known-size vector of Single, the LSTM representation of
/// each row's sequence, computed lazily by ONNX Runtime in batches of rows. All input columns
/// pass through. Save it in a model.zip with <c>mlContext.Model.Save</c> like any ML.NET transformer.
/// </summary>
/// <remarks>
/// The transformer owns an ONNX Runtime session; dispose it when done (a pipeline's
/// <c>TransformerChain</c> disposes it with the chain). Cursors and PredictionEngines created
/// before <see cref="Dispose"/> keep the session alive until they finish, so several
/// PredictionEngines may share one loaded model and be disposed in any order.
/// </remarks>
/// <example>
/// <code>
/// using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data);
/// IDataView features = transformer.Transform(data);
/// </code>
/// </example>
public sealed partial class LstmFeaturizerTransformer : ITransformer, IDisposable
{
    private readonly IHost _host;
    private readonly LstmFeaturizerOptions _options;
    private readonly LstmOnnxRunner _runner;
    private readonly SequenceBatchPool _batches;
    // One cache per input view, whichever Transform call it came through: the same rows, the same output.
    private readonly ConditionalWeakTable<IDataView, OutputCache> _caches = [];

    internal LstmFeaturizerTransformer(IHostEnvironment env, LstmModel model, LstmFeaturizerOptions options)
    {
        _host = env.Register(nameof(LstmFeaturizerTransformer));
        Model = model;
        _options = options;
        _runner = new LstmOnnxRunner(RunSpec(model, options));
        _batches = new SequenceBatchPool(_runner);
    }

    /// <summary>The LSTM this transformer runs; <c>Model.SaveOnnx(path)</c> reuses it elsewhere.</summary>
    /// <example>
    /// <code>
    /// transformer.Model.SaveOnnx("encoder.onnx");
    /// </code>
    /// </example>
    public LstmModel Model { get; }

    /// <summary>An engine that scores a live series one point at a time with <see cref="Model"/>; see <see cref="LstmModel.CreateTimeSeriesEngine"/>.</summary>
    /// <param name="options">How errors become scores, and the session's threads; null for the defaults.</param>
    /// <returns>A new engine with its own ONNX Runtime session; dispose it.</returns>
    /// <example>
    /// <code>
    /// using var engine = forecaster.CreateTimeSeriesEngine();
    /// </code>
    /// </example>
    public LstmTimeSeriesEngine CreateTimeSeriesEngine(LstmTimeSeriesOptions? options = null) => Model.CreateTimeSeriesEngine(options);

    /// <summary>Values per row in the output column.</summary>
    public int OutputSize => _runner.OutputSize;

    /// <summary>The representation written to the output column.</summary>
    public LstmRepresentation Representation => _options.Representation;

    /// <summary>The name of the column this transformer appends.</summary>
    public string OutputColumnName => _options.OutputColumnName;

    /// <summary>The column(s) holding the sequence.</summary>
    public IReadOnlyList<string> InputColumnNames => _options.InputColumnNames;

    /// <summary>The column giving each row's number of steps in padded sequences; null when there is none.</summary>
    public string? SequenceLengthColumnName => _options.SequenceLengthColumnName;

    /// <summary>Always true: rows map one to one, so <c>PredictionEngine</c> works.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with the representation column appended.</summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// var schema = transformer.GetOutputSchema(data.Schema); // ..., Features: Vector&lt;Single, 64&gt;
    /// </code>
    /// </example>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>
    /// Lazily appends the representation column; ONNX Runtime runs as a cursor pulls rows. A
    /// single pass costs nothing more; once a second pass over the same input begins (from this
    /// view or another <c>Transform</c> of the same input), that pass caches the representation
    /// (up to <see cref="LstmFeaturizerOptions.OutputCacheBytes"/>), so a trainer's later passes do not run the LSTM again.
    /// </summary>
    /// <param name="input">The data holding the sequence column(s).</param>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// float[][] features = transformer.Transform(data).GetColumn&lt;float[]&gt;("Features").ToArray();
    /// </code>
    /// </example>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var binding = Bind(input.Schema);
        var cache = _caches.GetValue(input, view => new OutputCache(_options.OutputCacheBytes, _runner.OutputSize, view.GetRowCount(),
            message => HostLog.Warning(_host, "LSTM output cache", message)));
        return new LstmFeaturizerDataView(input, binding, _batches, cache, () => Model.ToExportGraph(_options.Representation));
    }

    /// <summary>A mapper of single rows, used by <c>PredictionEngine</c>.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <example>
    /// <code>
    /// // PredictionEngine uses it; direct use is rare.
    /// using var engine = mlContext.Model.CreatePredictionEngine&lt;Input, Output&gt;(transformer);
    /// </code>
    /// </example>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new LstmRowToRowMapper(Bind(inputSchema), _batches);

    /// <summary>ONNX Runtime calls made so far, all cursors together.</summary>
    internal long OnnxRuntimeCalls => _runner.Runs;

    /// <summary>The most rows × steps one ONNX Runtime call has taken so far.</summary>
    internal long LargestOnnxRuntimeCallSteps => _runner.LargestCallSteps;

    /// <summary>True once the ONNX Runtime session is freed: disposed, and no cursor or PredictionEngine still uses it.</summary>
    internal bool SessionReleased => _runner.SessionReleased;

    /// <summary>
    /// Releases the transformer's hold on the ONNX Runtime session: new cursors and
    /// PredictionEngines throw <see cref="ObjectDisposedException"/>, those already created run to
    /// their end, and the session is freed when the last of them is disposed (or collected).
    /// </summary>
    /// <example>
    /// <code>
    /// using var transformer = estimator.Fit(data); // disposed at the end of the scope
    /// </code>
    /// </example>
    public void Dispose()
    {
        _batches.Dispose();
        _runner.Dispose();
    }

    private SequenceInputBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return SequenceInputBinding.Create(inputSchema, _options, Model, _runner.OutputSize);
    }

    /// <summary>What the runner is given of the model and options: the representation graph and the session settings.</summary>
    private static LstmRunSpec RunSpec(LstmModel model, LstmFeaturizerOptions options)
    {
        var (onnx, size) = model.ToRepresentationGraph(options.Representation, options.Precision);
        return new LstmRunSpec(onnx, model.Graph.InputName, Onnx.OnnxRepresentationRewriter.FeaturesName, model.InputSize, size,
            options.IntraOpNumThreads, options.GpuDeviceId, options.FallbackToCpu);
    }
}
