using System.Numerics.Tensors;
using static System.FormattableString;

namespace MLNet.Lstm.Streaming;

/// <summary>
/// How far the LSTM's state has moved from every state it was in while reading the training
/// points: the squared distance to the nearest of them, unit by unit standardized by their own
/// spread. A forecast error sees one step; the state summarizes the recent stretch of the series
/// at the time scales the LSTM keeps, so a shape or level the training points never had shows here
/// even when each step of it is forecast well.
/// </summary>
internal sealed class StateNovelty
{
    // The first states after a zero state are the LSTM settling in, not the series: they are left out.
    private const int SettlingPoints = 48;
    // A unit that barely moved while training must not turn rounding into distance.
    private const double MinVariance = 1e-4;

    private readonly int _width;
    private readonly int _capacity;
    // The states the training points can offer, at most the capacity: the memory is never larger.
    private readonly int _slots;
    private readonly long _trainingPoints;
    private readonly long _settling;
    private readonly float[] _memory;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly float[] _standardized;
    private int _count;
    private long _offered;
    private bool _frozen;

    public StateNovelty(int width, int capacity, long trainingPoints)
    {
        _width = width;
        _capacity = capacity;
        _trainingPoints = trainingPoints;
        _settling = Math.Min(SettlingPoints, trainingPoints / 2);
        _slots = Slots(capacity, trainingPoints);
        _memory = new float[(long)_slots * width <= Array.MaxLength ? _slots * width : throw LstmThrow.NoveltyMemoryTooWide(_slots, width)];
        _mean = new float[width];
        _scale = new float[width];
        _standardized = new float[width];
    }

    /// <summary>
    /// False after a checkpoint without states (format 2) was restored: which states were normal
    /// is unknown, so novelty stays off until <see cref="Clear"/>.
    /// </summary>
    public bool Known { get; private set; } = true;

    /// <summary>States the training points offer and the memory keeps: min(capacity, training points − settling).</summary>
    public static int Slots(int capacity, long trainingPoints) =>
        (int)Math.Clamp(trainingPoints - Math.Min(SettlingPoints, trainingPoints / 2), 0, capacity);

    /// <summary>Whether the engine can ever judge novelty: it keeps at least one state.</summary>
    public bool Keeps => _slots > 0;

    /// <summary>Whether scored points are judged by novelty: states were kept and the training points are over.</summary>
    public bool Judging => Known && _frozen && _count > 0;

    /// <summary>
    /// Takes the state after point <paramref name="point"/> (0-based): a training point's state is
    /// kept (the latest <c>capacity</c> of them), a later one's novelty is returned; NaN where there
    /// is nothing to judge by.
    /// </summary>
    public double Observe(long point, ReadOnlySpan<float> state)
    {
        if (!Known || _slots == 0)
        {
            return double.NaN;
        }
        if (point < _trainingPoints)
        {
            if (point >= _settling)
            {
                state.CopyTo(_memory.AsSpan((int)(_offered % _slots) * _width, _width));
                _offered++;
                _count = (int)Math.Min(_offered, _slots);
            }
            return double.NaN;
        }
        if (!_frozen)
        {
            Freeze();
        }
        if (_count == 0)
        {
            return double.NaN;
        }
        TensorPrimitives.Subtract(state, _mean, _standardized);
        TensorPrimitives.Multiply(_standardized, _scale, _standardized);
        float nearest = float.MaxValue;
        for (int i = 0; i < _count; i++)
        {
            nearest = Math.Min(nearest, TensorPrimitives.Distance(_standardized, _memory.AsSpan(i * _width, _width)));
        }
        return (double)nearest * nearest;
    }

    // The kept states are standardized once, when the first point after training arrives.
    private void Freeze()
    {
        _frozen = true;
        if (_count == 0)
        {
            return;
        }
        for (int u = 0; u < _width; u++)
        {
            double sum = 0, squares = 0;
            for (int i = 0; i < _count; i++)
            {
                double v = _memory[i * _width + u];
                sum += v;
                squares += v * v;
            }
            double mean = sum / _count;
            _mean[u] = (float)mean;
            _scale[u] = (float)(1 / Math.Sqrt(Math.Max(squares / _count - mean * mean, 0) + MinVariance));
        }
        for (int i = 0; i < _count; i++)
        {
            var row = _memory.AsSpan(i * _width, _width);
            TensorPrimitives.Subtract(row, _mean, row);
            TensorPrimitives.Multiply(row, _scale, row);
        }
    }

    public void Clear()
    {
        Array.Clear(_memory);
        Array.Clear(_mean);
        Array.Clear(_scale);
        _count = 0;
        _offered = 0;
        _frozen = false;
        Known = true;
    }

    public void Forget()
    {
        Clear();
        Known = false;
    }

    /// <summary>
    /// Refuses kept states that disagree with the engine's count of points: a checkpoint re-signed
    /// after an edit could otherwise hold raw states among standardized ones, or none where the
    /// training points offered some.
    /// </summary>
    public void CheckAgrees(long points, string source)
    {
        if (!Known)
        {
            return;
        }
        long offered = _slots == 0 ? 0 : Math.Max(0, Math.Min(points, _trainingPoints) - _settling);
        bool frozen = _slots > 0 && points > _trainingPoints;
        if (_offered != offered || _frozen != frozen)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"after {points} points of which {_trainingPoints} trained, expected {offered} training states offered and {(frozen ? "standardized" : "raw")} kept states, found {_offered} offered and {(_frozen ? "standardized" : "raw")} ones"));
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_capacity);
        writer.Write(Known);
        writer.Write(_frozen);
        writer.Write(_offered);
        writer.Write(_count);
        WriteFloats(writer, _mean);
        WriteFloats(writer, _scale);
        WriteFloats(writer, _memory.AsSpan(0, _count * _width));
    }

    public void Read(BinaryReader reader, string source)
    {
        int capacity = reader.ReadInt32();
        if (capacity != _capacity)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"it was written with LstmTimeSeriesOptions.NoveltyMemory {capacity}, this engine has {_capacity}"));
        }
        bool known = reader.ReadBoolean(), frozen = reader.ReadBoolean();
        long offered = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (offered < 0 || count != (int)Math.Min(offered, _slots))
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected the latest {Math.Min(Math.Max(offered, 0), _slots)} of the {offered} training states offered to be kept (the memory holds {_slots}), found {count}"));
        }
        // Hidden states are o·tanh(c), within [-1, 1]; standardized, within 2 / √MinVariance of 0.
        float scaleBound = (float)(1 / Math.Sqrt(MinVariance));
        ReadFloats(reader, _mean, source, "state mean", -1, 1);
        ReadFloats(reader, _scale, source, "state scale", 0, scaleBound);
        float stateBound = frozen ? 2 * scaleBound : 1;
        ReadFloats(reader, _memory.AsSpan(0, count * _width), source, "kept state", -stateBound, stateBound);
        (Known, _frozen, _offered, _count) = (known, frozen, offered, count);
    }

    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            writer.Write(v);
        }
    }

    private static void ReadFloats(BinaryReader reader, Span<float> values, string source, string what, float min, float max)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadSingle();
            if (!(values[i] >= min && values[i] <= max))
            {
                throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a {what} from {min} to {max}, found {values[i]} at index {i}"));
            }
        }
    }
}
