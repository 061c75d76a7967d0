using System.Security.Cryptography;
using Google.Protobuf;
using MLNet.Lstm.Onnx;
using MLNet.Lstm.Runtime;
using MLNet.Lstm.Streaming;

namespace MLNet.Lstm;

/// <summary>
/// Scores a live series one point at a time, as ML.NET's <c>TimeSeriesPredictionEngine</c> does:
/// each <see cref="Predict(ReadOnlySpan{float})"/> runs the LSTM one step in ONNX Runtime from the
/// hidden and cell states the previous call left, compares the point with the forecast the
/// previous step made, and turns that error into an anomaly score in [0, 1] against the
/// series' own error history. Nothing of a window is re-run, so a point costs one LSTM step.
/// <see cref="CheckPoint(Stream)"/> and <see cref="Restore(Stream)"/> save and resume the
/// whole state (LSTM states, last forecast, error history), so a service can restart mid-stream.
/// </summary>
/// <remarks>
/// The model must forecast: one-directional, one point per step (no pooling over time), and a
/// head from the last hidden state to the next point's features — what
/// <see cref="LstmObjective.NextStep"/> trains. An engine serves one series; calls on one engine
/// are serialized, so several threads may share it without harm, but each series needs its own.
/// </remarks>
/// <example>
/// <code>
/// var forecaster = mlContext.Transforms.LstmFeaturizeSequence(
///     new LstmTrainingOptions { Objective = LstmObjective.NextStep }).Fit(trainingWindows);
/// using var engine = forecaster.Model.CreateTimeSeriesEngine();
/// foreach (float value in liveValues)
/// {
///     var prediction = engine.Predict([value]);
///     if (prediction.Score &gt; 0.5f) Alert(value, prediction.Score);
/// }
/// </code>
/// </example>
public sealed class LstmTimeSeriesEngine : IDisposable
{
    private readonly LstmStepRunner _runner;
    private readonly LstmTimeSeriesOptions _options;
    private readonly EngineCheckpoint _checkpoint;
    private readonly float[] _previousForecast;
    private readonly Lock _gate = new();
    private AnomalyLikelihood _likelihood;
    private ValueRange _range;
    private StateNovelty _novelty;
    // Null where the engine keeps no states: a history of HistoryLength doubles nothing would fill.
    private AnomalyLikelihood? _noveltyLikelihood;
    private bool _disposed;

    internal LstmTimeSeriesEngine(LstmModel model, LstmTimeSeriesOptions? options)
    {
        // A copy: options changed after the engine is made would reach Reset and Restore unchecked.
        _options = options?.Copy() ?? new LstmTimeSeriesOptions();
        CheckOptions(_options);
        if (model.Bidirectional || model.OutputSize != model.InputSize || !model.HasOneGemmHead)
        {
            throw LstmThrow.NotForecasting(model.InputSize, model.OutputSize, model.Bidirectional);
        }
        var weights = model.GetWeights();
        if (weights.ConvLayerCount > 0)
        {
            throw LstmThrow.EngineConvBranch(weights.ConvLayerCount);
        }
        if (weights.PoolingStride != 1)
        {
            throw LstmThrow.NotOnePointPerStep(weights.PoolingStride, weights.HeadInput);
        }
        if (weights.HeadInput != LstmHeadInput.LastStep)
        {
            throw LstmThrow.HeadNotLastStep(weights.HeadInput);
        }
        byte[] onnx = OnnxStepGraphBuilder.Build(weights).ToByteArray();
        InputSize = model.InputSize;
        HiddenSize = model.HiddenSize;
        NumLayers = model.NumLayers;
        _checkpoint = new EngineCheckpoint(SHA256.HashData(onnx), InputSize, NumLayers, HiddenSize);
        _previousForecast = new float[InputSize];
        _likelihood = NewErrorLikelihood();
        _range = new ValueRange(InputSize);
        _novelty = NewNovelty();
        _noveltyLikelihood = NewNoveltyLikelihood();
        _runner = new LstmStepRunner(new LstmStepSpec(onnx, OnnxStepGraphBuilder.PointName, OnnxStepGraphBuilder.HiddenName, OnnxStepGraphBuilder.CellName,
            OnnxStepGraphBuilder.NextHiddenName, OnnxStepGraphBuilder.NextCellName, OnnxStepGraphBuilder.ScaledPointName, OnnxStepGraphBuilder.ForecastName,
            InputSize, HiddenSize, NumLayers, _options.IntraOpNumThreads));
    }

    /// <summary>Features per point (F).</summary>
    public int InputSize { get; }

    /// <summary>Hidden units per layer (H).</summary>
    public int HiddenSize { get; }

    /// <summary>LSTM layers (L).</summary>
    public int NumLayers { get; }

    /// <summary>Points predicted since the engine was created, reset or restored from a fresh one.</summary>
    public long Points { get; private set; }

    /// <summary>
    /// Every layer's hidden state after the last point, layer 0 first ([L·H]): what
    /// <see cref="LstmRepresentation.LastHiddenAllLayers"/> gives for the whole series so far. A copy.
    /// </summary>
    public float[] HiddenState
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                return [.. _runner.Hidden];
            }
        }
    }

    /// <summary>Every layer's cell state after the last point, layer 0 first ([L·H]). A copy.</summary>
    public float[] CellState
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                return [.. _runner.Cell];
            }
        }
    }

    /// <summary>
    /// The forecast of the next point, as the LSTM reads points (after the model's scaling): what
    /// <see cref="LstmRepresentation.ModelOutput"/> gives for the whole series so far. Zeros before the first point. A copy.
    /// </summary>
    public float[] Forecast
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                return [.. _previousForecast];
            }
        }
    }

    /// <summary>Scores one point of a series with one feature.</summary>
    /// <param name="value">The point's value.</param>
    /// <returns>The anomaly score and the forecast error.</returns>
    public LstmTimeSeriesPrediction Predict(float value) => Predict([value]);

    /// <summary>
    /// Scores the next point: its error against the forecast the previous point left, as an
    /// anomaly score in [0, 1]; then steps the LSTM on it and keeps the new forecast.
    /// </summary>
    /// <param name="point">The point's <see cref="InputSize"/> features.</param>
    /// <returns>The anomaly score and the forecast error.</returns>
    /// <exception cref="ArgumentException">The point has the wrong length, a NaN or an infinity, or a value so large the LSTM's state or the forecast error (a float) would stop being finite; the engine's state is unchanged.</exception>
    public LstmTimeSeriesPrediction Predict(ReadOnlySpan<float> point)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (point.Length != InputSize)
            {
                throw LstmThrow.PointLength(Points, InputSize, point.Length);
            }
            int bad = FiniteValues.FirstNonFinite(point);
            if (bad >= 0)
            {
                throw LstmThrow.PointNotFinite(Points, bad, point[bad]);
            }
            point.CopyTo(_runner.Point);
            _runner.Step();
            if (FiniteValues.FirstNonFinite(_runner.NextHidden) >= 0 || FiniteValues.FirstNonFinite(_runner.NextCell) >= 0
                || FiniteValues.FirstNonFinite(_runner.Forecast) >= 0 || FiniteValues.FirstNonFinite(_runner.ScaledPoint) >= 0)
            {
                throw LstmThrow.PointOverflows(Points, point, "the LSTM's state");
            }
            double error = Points == 0 ? double.NaN : SquaredError(_previousForecast, _runner.ScaledPoint);
            if (double.IsFinite(error) && !float.IsFinite((float)error))
            {
                throw LstmThrow.PointOverflows(Points, point, "its forecast error (a float)");
            }
            bool outside = _options.ValueRangeTolerance is double tolerance && _range.Outside(point, tolerance);
            _runner.Commit();
            _runner.Forecast.AsSpan().CopyTo(_previousForecast);
            _range.Include(point);
            double novelty = _novelty.Observe(Points, _runner.Hidden);
            Points++;
            float score = _likelihood.Update(error);
            if (_noveltyLikelihood is not null)
            {
                float noveltyScore = _noveltyLikelihood.Update(novelty);
                if (_novelty.Judging)
                {
                    score = 0.5f * (score + noveltyScore);
                }
            }
            return new LstmTimeSeriesPrediction(outside && _likelihood.Scored ? 1f : score, (float)error) { Novelty = (float)novelty };
        }
    }

    /// <summary>Forgets the series: zero states, no forecast, empty error history, as a new engine.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Array.Clear(_runner.Hidden);
            Array.Clear(_runner.Cell);
            Array.Clear(_previousForecast);
            _likelihood = NewErrorLikelihood();
            _range.Clear();
            _novelty.Clear();
            _noveltyLikelihood = NewNoveltyLikelihood();
            Points = 0;
        }
    }

    /// <summary>
    /// Writes the engine's whole state to <paramref name="stream"/>: LSTM states, last forecast,
    /// points seen and the error history. <see cref="Restore(Stream)"/> on an engine of the same
    /// model and options resumes exactly where this one is.
    /// </summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <example>
    /// <code>
    /// using (var file = File.Create("sensor-42.checkpoint"))
    /// {
    ///     engine.CheckPoint(file);
    /// }
    /// </code>
    /// </example>
    public void CheckPoint(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            ThrowIfDisposed();
            _checkpoint.Write(stream, new EngineState(Points, _runner.Hidden, _runner.Cell, _previousForecast, _likelihood, _range, _novelty, _noveltyLikelihood));
        }
    }

    /// <summary>
    /// Replaces the engine's state with one <see cref="CheckPoint(Stream)"/> wrote. All or
    /// nothing: a checkpoint of another model or other options, or a damaged one, is refused with
    /// an <see cref="InvalidDataException"/> naming what differs, and the state stays as it was.
    /// A checkpoint overrides <see cref="LstmTimeSeriesOptions.ErrorTail"/>, and
    /// <see cref="LstmTimeSeriesOptions.AveragingWindow"/> where it is null: the errors are judged by
    /// the tail (the normal tail before format 4; squared errors ranked, not their square roots, in
    /// format 4) and the window of the engine that wrote it until <see cref="Reset"/>, so that the
    /// restored engine scores as that one would have.
    /// </summary>
    /// <param name="stream">A readable stream positioned at a checkpoint; left open.</param>
    /// <exception cref="InvalidDataException">The stream holds no checkpoint of this engine's model and options, or a damaged one.</exception>
    /// <example>
    /// <code>
    /// using var engine = forecaster.Model.CreateTimeSeriesEngine();
    /// using (var file = File.OpenRead("sensor-42.checkpoint"))
    /// {
    ///     engine.Restore(file);
    /// }
    /// </code>
    /// </example>
    public void Restore(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            ThrowIfDisposed();
            var state = _checkpoint.Read(stream, NewErrorLikelihood(), new ValueRange(InputSize), NewNovelty(), NewNoveltyLikelihood(),
                adoptWindow: _options.AveragingWindow is null);
            state.Hidden.CopyTo(_runner.Hidden, 0);
            state.Cell.CopyTo(_runner.Cell, 0);
            state.Forecast.CopyTo(_previousForecast, 0);
            _likelihood = state.Likelihood;
            _range = state.Range;
            _novelty = state.Novelty;
            _noveltyLikelihood = state.NoveltyLikelihood;
            Points = state.Points;
        }
    }

    /// <summary>Frees the ONNX Runtime session; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _runner.Dispose();
        }
    }

    private AnomalyLikelihood NewErrorLikelihood() => NewLikelihood(empiricalTail: TailOf(_options) == LstmErrorTail.Empirical);

    // By default the empirical tail where a value range flags what lies beyond the history's largest
    // error and the novelty is averaged in; alone, its rank would flag a fixed share of normal points.
    internal static LstmErrorTail TailOf(LstmTimeSeriesOptions options) =>
        options.ErrorTail ?? (options.ValueRangeTolerance is not null && KeepsStates(options) ? LstmErrorTail.Empirical : LstmErrorTail.Normal);

    private static bool KeepsStates(LstmTimeSeriesOptions options) => StateNovelty.Slots(options.NoveltyMemory, options.TrainingPoints) > 0;

    private AnomalyLikelihood? NewNoveltyLikelihood() => KeepsStates(_options) ? NewLikelihood(empiricalTail: false) : null;

    private StateNovelty NewNovelty() => new(checked(NumLayers * HiddenSize), _options.NoveltyMemory, _options.TrainingPoints);

    private AnomalyLikelihood NewLikelihood(bool empiricalTail) =>
        new(WindowOf(_options), _options.HistoryLength, _options.WarmUpPoints, _options.TrainingPoints, empiricalTail);

    // Averaged, a learned forecast's ranked errors keep their worth and a random head's lose it; under
    // the normal tail one error scores better (LstmDefaults). The novelty's window follows the error's.
    internal static int WindowOf(LstmTimeSeriesOptions options) =>
        options.AveragingWindow ?? (TailOf(options) == LstmErrorTail.Empirical ? LstmDefaults.EmpiricalTailAveragingWindow : LstmDefaults.AveragingWindow);

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw LstmThrow.EngineDisposed();
        }
    }

    private static double SquaredError(ReadOnlySpan<float> forecast, ReadOnlySpan<float> point)
    {
        double sum = 0;
        for (int i = 0; i < point.Length; i++)
        {
            double d = (double)forecast[i] - point[i];
            sum += d * d;
        }
        return sum / point.Length;
    }

    internal static void CheckOptions(LstmTimeSeriesOptions options)
    {
        if (options.TrainingPoints < 0)
        {
            throw LstmThrow.TrainingPointsNegative(options.TrainingPoints);
        }
        // First: the other bounds are stated in it.
        if (options.HistoryLength < 2 || options.HistoryLength > LstmDefaults.MaxHistoryLength)
        {
            throw LstmThrow.HistoryLengthOutOfRange(options.HistoryLength);
        }
        if (options.AveragingWindow is int window && (window < 1 || window > options.HistoryLength))
        {
            throw LstmThrow.AveragingWindowOutOfRange(window, options.HistoryLength);
        }
        if (options.WarmUpPoints < 1 || options.WarmUpPoints > options.HistoryLength)
        {
            throw LstmThrow.WarmUpPointsOutOfRange(options.WarmUpPoints, options.HistoryLength);
        }
        if (options.ValueRangeTolerance is double tolerance && !(tolerance >= 0 && tolerance <= LstmDefaults.MaxValueRangeTolerance))
        {
            throw LstmThrow.ValueRangeToleranceOutOfRange(tolerance);
        }
        if (options.ErrorTail is LstmErrorTail tail && !Enum.IsDefined(tail))
        {
            throw LstmThrow.ErrorTailUnknown(tail);
        }
        if (options.NoveltyMemory < 0 || options.NoveltyMemory > LstmDefaults.MaxNoveltyMemory)
        {
            throw LstmThrow.NoveltyMemoryOutOfRange(options.NoveltyMemory);
        }
        if (options.IntraOpNumThreads is int threads && (threads < 1 || threads > LstmDefaults.MaxIntraOpThreads))
        {
            throw LstmThrow.StepThreadsOutOfRange(threads);
        }
    }
}
