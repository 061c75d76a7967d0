using static System.FormattableString;

namespace MLNet.Lstm.Streaming;

/// <summary>
/// The range of every value an engine has read, per feature: a point outside it, widened by a
/// fraction of its width on each side, is a value the series has never come near (Numenta's
/// "spatial anomaly", which its NAB detector scores 1 whatever the forecast error says).
/// </summary>
internal sealed class ValueRange
{
    private readonly float[] _min;
    private readonly float[] _max;
    private long _seen;

    public ValueRange(int features)
    {
        _min = new float[features];
        _max = new float[features];
    }

    /// <summary>
    /// False after a checkpoint that held no range (format 2) was restored: the range the stream
    /// saw is unknown, and one rebuilt from the points after it would call the next ordinary
    /// swing "never seen", so novelty stays off until <see cref="Clear"/>.
    /// </summary>
    public bool Known { get; private set; } = true;

    /// <summary>
    /// Whether any feature of <paramref name="point"/> lies beyond the range widened by
    /// <paramref name="tolerance"/> of its width. A feature that has kept one value has no width to
    /// judge by, so a flat series is not novel at its first change (Numenta's rule too).
    /// </summary>
    public bool Outside(ReadOnlySpan<float> point, double tolerance)
    {
        if (!Known || _seen == 0)
        {
            return false;
        }
        for (int f = 0; f < point.Length; f++)
        {
            double width = (double)_max[f] - _min[f];
            if (width > 0 && (point[f] > _max[f] + tolerance * width || point[f] < _min[f] - tolerance * width))
            {
                return true;
            }
        }
        return false;
    }

    public void Include(ReadOnlySpan<float> point)
    {
        for (int f = 0; f < point.Length; f++)
        {
            if (_seen == 0 || point[f] < _min[f])
            {
                _min[f] = point[f];
            }
            if (_seen == 0 || point[f] > _max[f])
            {
                _max[f] = point[f];
            }
        }
        _seen++;
    }

    public void Clear()
    {
        Array.Clear(_min);
        Array.Clear(_max);
        _seen = 0;
        Known = true;
    }

    public void Forget()
    {
        Clear();
        Known = false;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Known);
        writer.Write(_seen);
        foreach (float v in _min)
        {
            writer.Write(v);
        }
        foreach (float v in _max)
        {
            writer.Write(v);
        }
    }

    public void Read(BinaryReader reader, string source)
    {
        bool known = reader.ReadBoolean();
        long seen = reader.ReadInt64();
        if (seen < 0)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a count of values in the range ≥ 0, found {seen}"));
        }
        for (int f = 0; f < _min.Length; f++)
        {
            _min[f] = ReadFinite(reader, source, "minimum", f);
        }
        for (int f = 0; f < _max.Length; f++)
        {
            _max[f] = ReadFinite(reader, source, "maximum", f);
            if (seen > 0 && _max[f] < _min[f])
            {
                throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a value range whose maximum is at least its minimum, found [{_min[f]}, {_max[f]}] for feature {f}"));
            }
        }
        (Known, _seen) = (known, seen);
    }

    private static float ReadFinite(BinaryReader reader, string source, string bound, int feature)
    {
        float value = reader.ReadSingle();
        if (!float.IsFinite(value))
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a finite {bound} of feature {feature}'s value range, found {value}"));
        }
        return value;
    }

    /// <summary>Refuses a range that counts other points than the engine read (a re-signed edit).</summary>
    public void CheckAgrees(long points, string source)
    {
        if (Known && _seen != points)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a value range of the {points} points read, found one of {_seen}"));
        }
    }
}
