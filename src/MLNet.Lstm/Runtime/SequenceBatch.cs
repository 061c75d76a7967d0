using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// The rows of one batch, time-major, back to back, and their representations after
/// <see cref="Run"/>. Rows of one length are already the batch tensor [rows, T, F] and go to
/// ONNX Runtime in one call; rows of several lengths are grouped by length, one call per
/// length, so no row is ever padded and every number equals running the row alone; ONNX Runtime
/// writes each group's output straight into the output buffer, which <see cref="Output"/> then
/// reads through the rows' sorted positions, so no output is copied before the cursor's getter.
/// A row holding NaN or infinity is zeroed before the run (it cannot touch another row) and
/// gets an all-NaN representation, ML.NET's missing value.
/// The batch holds a <see cref="RunnerLease"/> for its whole life, so the session outlives it;
/// a batch that is never disposed (an abandoned cursor's) is plain garbage: its arrays are
/// collected and its lease and OrtValues release themselves when finalized.
/// </summary>
internal sealed class SequenceBatch(LstmOnnxRunner runner, int capacity, int stepsHint) : IDisposable
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
    // Where each slot's output lies in _output, in rows: the slot itself, or its sorted position once grouped by length.
    private readonly int[] _outputRow = new int[capacity];
    private readonly OrtTensorCache _inputTensor = new();
    private readonly OrtTensorCache _outputTensor = new();
    private readonly OrtValue[] _inputs = new OrtValue[1];
    private readonly OrtValue[] _outputs = new OrtValue[1];
    private float[] _values = OrtTensorCache.Allocate(capacity * Math.Max(stepsHint, 1) * runner.InputSize);
    private float[] _packed = [];
    private int _used;
    private bool _anyMissing;
    private bool _grouped;

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

    /// <summary>The row just added holds NaN or infinity: it is zeroed, so it cannot touch another row, and its output will be all NaN.</summary>
    public void MarkLastMissing()
    {
        int slot = Count - 1;
        _values.AsSpan(_offsets[slot], _steps[slot] * _features).Clear();
        _missing[slot] = true;
        _anyMissing = true;
    }

    /// <summary>The representation of the row in <paramref name="slot"/>, valid until the next <see cref="Clear"/>.</summary>
    public ReadOnlySpan<float> Output(int slot) => OutputRow(slot);

    public void Run()
    {
        if (Count == 0)
        {
            return;
        }
        _grouped = !AllOneLength() || (long)Count * _steps[0] > CallSteps;
        if (_grouped)
        {
            RunGroupedByLength();
        }
        else
        {
            RunTensor(_values, Count, _steps[0], outputOffset: 0);
        }
        if (_anyMissing)
        {
            for (int slot = 0; slot < Count; slot++)
            {
                if (_missing[slot])
                {
                    OutputRow(slot).Fill(float.NaN);
                }
            }
        }
    }

    private Span<float> OutputRow(int slot) => _output.AsSpan((_grouped ? _outputRow[slot] : slot) * _outputSize, _outputSize);

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

    /// <summary>Runs the rows at sorted positions [start, start + rows), all of <paramref name="steps"/> steps, as one tensor whose output lands at those positions.</summary>
    private void RunGroup(int start, int rows, int steps)
    {
        int rowLength = steps * _features;
        if (_packed.Length < rows * rowLength)
        {
            _packed = OrtTensorCache.Allocate(rows * rowLength);
        }
        for (int r = 0; r < rows; r++)
        {
            int slot = _order[start + r];
            _values.AsSpan(_offsets[slot], rowLength).CopyTo(_packed.AsSpan(r * rowLength));
            _outputRow[slot] = start + r;
        }
        RunTensor(_packed, rows, steps, outputOffset: start * _outputSize);
    }

    public void Dispose()
    {
        _inputTensor.Dispose();
        _outputTensor.Dispose();
        _lease.Dispose();
    }

    private void RunTensor(float[] input, int rows, int steps, int outputOffset)
    {
        _inputs[0] = _inputTensor.Get(input, rows, steps, _features);
        _outputs[0] = _outputTensor.GetAt(_output, outputOffset, rows, _outputSize);
        runner.Run(_inputs, _outputs, rows, steps);
        // ONNX Runtime reads the arrays through raw addresses: the batch (its arrays, its lease)
        // must stay reachable until the call returns, even when its cursor is no longer used.
        GC.KeepAlive(this);
    }
}
