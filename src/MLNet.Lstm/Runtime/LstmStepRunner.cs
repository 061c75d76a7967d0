using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// Owns the ONNX Runtime session of one time-series engine and advances it one point per call.
/// Every tensor is an <see cref="OrtValue"/> over a pinned array made once, so a step allocates
/// nothing. The states are double-buffered: a step reads one pair and writes the other, and
/// <see cref="Commit"/> swaps them only once the caller accepts the step, so a rejected point
/// leaves the previous state untouched.
/// </summary>
internal sealed class LstmStepRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtTensorCache[] _tensors;
    private readonly float[][] _hidden;
    private readonly float[][] _cell;
    private readonly OrtValue[][] _inputs;
    private readonly OrtValue[][] _outputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private int _current;

    public LstmStepRunner(LstmStepSpec spec)
    {
        _inputNames = [spec.PointName, spec.HiddenName, spec.CellName];
        _outputNames = [spec.NextHiddenName, spec.NextCellName, spec.ScaledPointName, spec.ForecastName];
        int inputSize = spec.InputSize, hiddenSize = spec.HiddenSize, numLayers = spec.NumLayers;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = spec.IntraOpNumThreads ?? LstmDefaults.StepIntraOpNumThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        int stateLength = checked(numLayers * hiddenSize);
        Point = OrtTensorCache.Allocate(inputSize);
        ScaledPoint = OrtTensorCache.Allocate(inputSize);
        Forecast = OrtTensorCache.Allocate(inputSize);
        _hidden = [OrtTensorCache.Allocate(stateLength), OrtTensorCache.Allocate(stateLength)];
        _cell = [OrtTensorCache.Allocate(stateLength), OrtTensorCache.Allocate(stateLength)];
        _tensors = new OrtTensorCache[7];
        for (int i = 0; i < _tensors.Length; i++)
        {
            _tensors[i] = new OrtTensorCache();
        }
        try
        {
            _session = new InferenceSession(spec.Onnx, options);
            var point = _tensors[0].Get(Point, 1, inputSize);
            var scaled = _tensors[1].Get(ScaledPoint, 1, inputSize);
            var forecast = _tensors[2].Get(Forecast, 1, inputSize);
            var hidden = new[] { _tensors[3].Get(_hidden[0], numLayers, 1, hiddenSize), _tensors[4].Get(_hidden[1], numLayers, 1, hiddenSize) };
            var cell = new[] { _tensors[5].Get(_cell[0], numLayers, 1, hiddenSize), _tensors[6].Get(_cell[1], numLayers, 1, hiddenSize) };
            _inputs = [[point, hidden[0], cell[0]], [point, hidden[1], cell[1]]];
            _outputs = [[hidden[1], cell[1], scaled, forecast], [hidden[0], cell[0], scaled, forecast]];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The point the next <see cref="Step"/> reads, as the caller gave it.</summary>
    public float[] Point { get; }

    /// <summary>The last stepped point as the LSTM read it: after the model's scaling.</summary>
    public float[] ScaledPoint { get; }

    /// <summary>The head's forecast of the point after the last stepped one.</summary>
    public float[] Forecast { get; }

    /// <summary>Every layer's hidden state [L·H] after the last committed step.</summary>
    public float[] Hidden => _hidden[_current];

    /// <summary>Every layer's cell state [L·H] after the last committed step.</summary>
    public float[] Cell => _cell[_current];

    /// <summary>The states the last <see cref="Step"/> wrote, not yet committed.</summary>
    public ReadOnlySpan<float> NextHidden => _hidden[1 - _current];

    /// <inheritdoc cref="NextHidden"/>
    public ReadOnlySpan<float> NextCell => _cell[1 - _current];

    /// <summary>Runs the LSTM one step from the committed states on <see cref="Point"/>.</summary>
    public void Step() => _session.Run(_runOptions, _inputNames, _inputs[_current], _outputNames, _outputs[_current]);

    /// <summary>Makes the states the last <see cref="Step"/> wrote the current ones.</summary>
    public void Commit() => _current = 1 - _current;

    public void Dispose()
    {
        _session?.Dispose();
        _runOptions.Dispose();
        foreach (var tensor in _tensors)
        {
            tensor?.Dispose();
        }
    }
}
