namespace MLNet.Lstm.Streaming;

/// <summary>
/// Turns a stream of forecast errors into anomaly scores in [0, 1] that mean the same on every
/// series, whatever its scale or drift: Numenta's anomaly likelihood (Ahmad et al. 2017), on the
/// logarithm of the error. The short-term mean of the last errors is compared with the
/// distribution of such means over a long rolling history (a normal fitted to it); the score is
/// the log-scaled probability that the distribution stays below it, so 0.5 means "typical",
/// and 1 means one in ten billion. Scale drops out (the logarithm turns a scale into a shift,
/// which the history's mean absorbs) and drift is followed as the history rolls.
/// </summary>
internal sealed class AnomalyLikelihood
{
    // Errors below this are as good as exact: the logarithm of 0 must stay finite.
    private const double ErrorFloor = 1e-12;

    // Numenta's log scale: a tail probability of 1e-10 is a score of 1.
    private const double LogScaleFloor = 1e-10;

    // The history's spread never counts as narrower than this (log units), so a series that was
    // perfectly forecast until now does not make its first small error infinitely unlikely.
    private const double MinDeviation = 0.05;

    private readonly double[] _recent;
    private readonly double[] _history;
    private double _recentSum;
    private double _historySum;
    private double _historySquares;
    private long _errors;
    private long _means;
    private readonly int _warmUp;

    public AnomalyLikelihood(int averagingWindow, int historyLength, int warmUp)
    {
        _recent = new double[averagingWindow];
        _history = new double[historyLength];
        _warmUp = warmUp;
    }

    /// <summary>The score of one more error: 0 while the history is shorter than the warm-up, and for a missing (NaN) error.</summary>
    public float Update(double error)
    {
        if (double.IsNaN(error))
        {
            return 0;
        }
        int slot = (int)(_errors % _recent.Length);
        _recent[slot] = error;
        // Summed afresh: errors span many orders of magnitude, and a running sum would keep the rounding of a huge one.
        _recentSum = 0;
        foreach (double e in _recent)
        {
            _recentSum += e;
        }
        _errors++;
        if (_errors < _recent.Length)
        {
            return 0;
        }
        // The logarithm of the arithmetic mean: one large error still dominates its window, as it should.
        double mean = Math.Log(Math.Max(_recentSum / _recent.Length, ErrorFloor));
        float score = _means >= _warmUp ? Score(mean) : 0;
        Remember(mean);
        return score;
    }

    private float Score(double mean)
    {
        long count = Math.Min(_means, _history.Length);
        double center = _historySum / count;
        double variance = Math.Max(_historySquares / count - center * center, 0);
        double deviation = Math.Max(Math.Sqrt(variance), MinDeviation);
        double tail = 0.5 * Erfc.Complement((mean - center) / (deviation * Math.Sqrt(2)));
        return (float)Math.Clamp(Math.Log(tail + LogScaleFloor) / Math.Log(LogScaleFloor), 0, 1);
    }

    private void Remember(double mean)
    {
        int slot = (int)(_means % _history.Length);
        if (_means >= _history.Length)
        {
            double old = _history[slot];
            _historySum -= old;
            _historySquares -= old * old;
        }
        _history[slot] = mean;
        _historySum += mean;
        _historySquares += mean * mean;
        _means++;
        // Running sums drift by rounding as values come and go; a fresh sum once per history keeps them exact enough.
        if (slot == _history.Length - 1)
        {
            _historySum = 0;
            _historySquares = 0;
            foreach (double v in _history)
            {
                _historySum += v;
                _historySquares += v * v;
            }
        }
    }

    /// <summary>Writes the whole state, so a restored likelihood scores the next error exactly as this one would.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_recent.Length);
        writer.Write(_history.Length);
        writer.Write(_warmUp);
        writer.Write(_errors);
        writer.Write(_means);
        writer.Write(_recentSum);
        writer.Write(_historySum);
        writer.Write(_historySquares);
        foreach (double v in _recent)
        {
            writer.Write(v);
        }
        long kept = Math.Min(_means, _history.Length);
        for (long i = 0; i < kept; i++)
        {
            writer.Write(_history[i]);
        }
    }

    /// <summary>Reads a state <see cref="Write"/> wrote; the sizes must be this likelihood's.</summary>
    public void Read(BinaryReader reader, string source)
    {
        CheckSize(reader.ReadInt32(), _recent.Length, "averaging window", source);
        CheckSize(reader.ReadInt32(), _history.Length, "history length", source);
        CheckSize(reader.ReadInt32(), _warmUp, "warm-up", source);
        long errors = reader.ReadInt64(), means = reader.ReadInt64();
        if (errors < 0 || means < 0 || means > errors)
        {
            throw LstmThrow.CheckpointInvalid(source, $"expected counts of errors ≥ means ≥ 0, found {errors} and {means}");
        }
        _errors = errors;
        _means = means;
        _recentSum = ReadFinite(reader, source);
        _historySum = ReadFinite(reader, source);
        _historySquares = ReadFinite(reader, source);
        for (int i = 0; i < _recent.Length; i++)
        {
            _recent[i] = ReadFinite(reader, source);
        }
        long kept = Math.Min(_means, _history.Length);
        Array.Clear(_history);
        for (long i = 0; i < kept; i++)
        {
            _history[i] = ReadFinite(reader, source);
        }
    }

    private static void CheckSize(int found, int expected, string what, string source)
    {
        if (found != expected)
        {
            throw LstmThrow.CheckpointInvalid(source, $"it was written with a {what} of {found}, this engine has {expected}");
        }
    }

    private static double ReadFinite(BinaryReader reader, string source)
    {
        double value = reader.ReadDouble();
        if (!double.IsFinite(value))
        {
            throw LstmThrow.CheckpointInvalid(source, $"expected finite likelihood statistics, found {value}");
        }
        return value;
    }
}
