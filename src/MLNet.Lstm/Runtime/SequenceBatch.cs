using Microsoft.ML.OnnxRuntime;
using MLNet.Lstm.Data;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// The rows of one batch, time-major, back to back, and their representations after
/// <see cref="Run"/>. Rows of one length are already the batch tensor [rows, T, F] and go to
/// ONNX Runtime in one call; rows of several lengths are grouped by length, one call per
/// length, so no row is ever padded and every number equals running the row alone.
/// A row holding NaN or infinity is zeroed before the run (it cannot touch another row) and
/// gets an all-NaN representation, ML.NET's missing value.
/// The batch holds a <see cref="RunnerLease"/> for its whole life, so the session outlives it;
/// a batch that is never disposed (an abandoned cursor's) is plain garbage: its arrays are
/// collected and its lease and OrtValues release themselves when finalized.
/// </summary>
internal sealed class SequenceBatch(LstmOnnxRunner runner, int capacity, int stepsHint) : ISequenceSink, IDisposable
{
    // First, so that a disposed transformer throws before anything is allocated.
    private readonly RunnerLease _lease = runner.Lease();
    private readonly int _features = runner.InputSize;
    private readonly int _outputSize = runner.OutputSize;
    private readonly int[] _offsets = new int[capacity];
    private readonly int[] _steps = new int[capacity];
    private readonly bool[] _missing = new bool[capacity];
    private readonly float[] _output = OrtTensorCache.Allocate(capacity * runner.OutputSize);
    private readonly int[] _order = new int[capacity];
    private readonly int[] _sortedSteps = new int[capacity];
    private readonly OrtTensorCache _inputTensor = new();
    private readonly OrtTensorCache _outputTensor = new();
    private readonly OrtValue[] _inputs = new OrtValue[1];
    private readonly OrtValue[] _outputs = new OrtValue[1];
    private float[] _values = OrtTensorCache.Allocate(capacity * Math.Max(stepsHint, 1) * runner.InputSize);
    private float[] _packed = [];
    private float[] _packedOutput = [];
    private int _used;
    private bool _anyMissing;

    public int Count { get; private set; }

    /// <summary>Most rows × steps one ONNX Runtime call takes; a larger group of one length is run in several calls.</summary>
    public long CallSteps { get; set; } = long.MaxValue;

    public int Capacity => capacity;

    public void Clear()
    {
        Count = 0;
        _used = 0;
        if (_anyMissing)
        {
            Array.Clear(_missing);
            _anyMissing = false;
        }
    }

    /// <summary>Reserves the next slot for a row of <paramref name="steps"/> steps.</summary>
    public Span<float> Add(int steps)
    {
        int length = steps * _features;
        if (_used + length > _values.Length)
        {
            var larger = OrtTensorCache.Allocate(Math.Max(_values.Length * 2, _used + length));
            _values.AsSpan(0, _used).CopyTo(larger);
            _values = larger;
        }
        _offsets[Count] = _used;
        _steps[Count] = steps;
        _used += length;
        Count++;
        return _values.AsSpan(_offsets[Count - 1], length);
    }

    public void MarkLastMissing()
    {
        int slot = Count - 1;
        _values.AsSpan(_offsets[slot], _steps[slot] * _features).Clear();
        _missing[slot] = true;
        _anyMissing = true;
    }

    public ReadOnlySpan<float> Output(int slot) => _output.AsSpan(slot * _outputSize, _outputSize);

    public void Run()
    {
        if (Count == 0)
        {
            return;
        }
        if (AllOneLength() && (long)Count * _steps[0] <= CallSteps)
        {
            RunTensor(_values, Count, _steps[0], _output);
        }
        else
        {
            RunGroupedByLength();
        }
        if (_anyMissing)
        {
            for (int slot = 0; slot < Count; slot++)
            {
                if (_missing[slot])
                {
                    _output.AsSpan(slot * _outputSize, _outputSize).Fill(float.NaN);
                }
            }
        }
    }

    private bool AllOneLength()
    {
        for (int slot = 1; slot < Count; slot++)
        {
            if (_steps[slot] != _steps[0])
            {
                return false;
            }
        }
        return true;
    }

    private void RunGroupedByLength()
    {
        for (int slot = 0; slot < Count; slot++)
        {
            _order[slot] = slot;
            _sortedSteps[slot] = _steps[slot];
        }
        Array.Sort(_sortedSteps, _order, 0, Count);
        for (int start = 0; start < Count;)
        {
            int steps = _sortedSteps[start];
            int end = start;
            while (end < Count && _sortedSteps[end] == steps)
            {
                end++;
            }
            int callRows = (int)Math.Min(Math.Max(CallSteps / Math.Max(steps, 1), LstmDefaults.MinBatchRows), end - start);
            for (int first = start; first < end; first += callRows)
            {
                RunGroup(first, Math.Min(callRows, end - first), steps);
            }
            start = end;
        }
    }

    /// <summary>Runs the rows at sorted positions [start, start + rows), all of <paramref name="steps"/> steps, as one tensor.</summary>
    private void RunGroup(int start, int rows, int steps)
    {
        int rowLength = steps * _features;
        EnsureLength(ref _packed, rows * rowLength);
        EnsureLength(ref _packedOutput, rows * _outputSize);
        for (int r = 0; r < rows; r++)
        {
            _values.AsSpan(_offsets[_order[start + r]], rowLength).CopyTo(_packed.AsSpan(r * rowLength));
        }
        RunTensor(_packed, rows, steps, _packedOutput);
        for (int r = 0; r < rows; r++)
        {
            _packedOutput.AsSpan(r * _outputSize, _outputSize).CopyTo(_output.AsSpan(_order[start + r] * _outputSize));
        }
    }

    public void Dispose()
    {
        _inputTensor.Dispose();
        _outputTensor.Dispose();
        _lease.Dispose();
    }

    private void RunTensor(float[] input, int rows, int steps, float[] output)
    {
        _inputs[0] = _inputTensor.Get(input, rows, steps, _features);
        _outputs[0] = _outputTensor.Get(output, rows, _outputSize);
        runner.Run(_inputs, _outputs, rows, steps);
        // ONNX Runtime reads the arrays through raw addresses: the batch (its arrays, its lease)
        // must stay reachable until the call returns, even when its cursor is no longer used.
        GC.KeepAlive(this);
    }

    private static void EnsureLength(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = OrtTensorCache.Allocate(length);
        }
    }
}
