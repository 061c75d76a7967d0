using static System.FormattableString;
namespace MLNet.Lstm.Streaming;

/// <summary>
/// Turns a stream of forecast errors (or novelties) into anomaly scores in [0, 1] that mean the
/// same on every series, whatever its scale or drift, after Numenta's anomaly likelihood (Ahmad et
/// al. 2017): the mean of the last errors is judged against such means over a long rolling
/// history, and the score is the number of decimal digits of its improbability. With the normal
/// tail, Numenta's, the improbability is the probability that a normal fitted to the history
/// reaches the mean, and <see cref="ScoreDigits"/> digits score 1. With the empirical tail it is
/// the share of the history at least as large ((k + 1) / (n + 1) of n), and the most digits a full
/// history can give, log10(HistoryLength + 1), score 1: the largest error of the whole history.
/// The empirical tail ranks the values' square roots (for squared errors, the forecast's distance,
/// root-mean-square over the features), so that a mean of several weighs each alike instead of
/// being the largest one's; one value alone ranks as its square would (up to two doubles that share
/// a root, which a single feature's squared error never makes). Scale drops out either way and drift is followed as the history
/// rolls. The errors of the points the model learned from are in-sample, smaller than any new
/// point's, so they are never part of the history.
/// </summary>
/// <remarks>
/// Measured on the whole NAB corpus (BENCHMARKS.md): squared errors as they are score better than
/// their logarithm or square root under the normal tail, and one error better than a mean of 2, 5
/// or 10; in-sample errors in the history cost 15–20 points of NAB score. Numenta's 1e-10 floor on
/// the probability saturates here (squared errors are heavy-tailed, so a real anomaly is often far
/// beyond 1e-10), and series can then no longer be told apart by one threshold; 100 digits keeps
/// them apart. Heavy tails are also why the engine scores forecast errors by the empirical tail
/// when it has a value range and judges novelty: a normal fitted to them takes a noisy series'
/// ordinary spikes for many digits of improbability and is widened for a month by one huge
/// error, while the empirical tail cannot be, the value range flags what lies beyond anything
/// seen, and averaged with the novelty an error reaches 0.5 on its own only as the largest of a
/// full history (about one point in HistoryLength + 1 of a series without anomalies). Over five
/// seeds it lifted the detector's NAB score from 61.3 to 63.8; without a value range the normal
/// tail scores better (the empirical one stops at the history's largest error). Under the empirical
/// tail the engine averages two values by default: over the squared errors the detector stayed
/// level (63.6) and its untrained floor fell from 61.0 to 58.2; over their square roots the
/// detector scores 64.3, the floor 58.1.
/// </remarks>
internal sealed class AnomalyLikelihood
{
    /// <summary>Digits of improbability that make a score of 1.</summary>
    public const double ScoreDigits = 100;

    // The history's spread never counts as narrower than this (squared error in the model's
    // scaled units, 3 % of a standard deviation), so a series forecast perfectly so far does not
    // make a rounding-sized error look impossible.
    private const double MinDeviation = 1e-3;

    // The largest error two finite float points can make, (2·float.MaxValue)²: a restored error
    // beyond it was not written by Update, and enough of them would overflow the history's sums to
    // ∞ and the scores to NaN.
    private const double MaxError = 4.0 * float.MaxValue * float.MaxValue;

    // A checkpoint read may resize it: an engine whose window is unset takes the checkpoint's.
    private double[] _recent;
    private readonly double[] _history;
    private readonly int _warmUp;
    private readonly long _trainingPoints;
    // Null for the normal tail; a checkpoint read sets it as the engine that wrote it had it.
    private EmpiricalTail? _tail;
    // Whether the history holds square roots of the values: under the empirical tail, but not for a
    // history restored from a checkpoint of format 4, which holds the squared errors it ranked.
    private bool _roots;
    private readonly double _fullHistoryDigits;
    private long _points;
    private long _errors;
    private long _means;
    private double _historySum;
    private double _historySquares;

    public AnomalyLikelihood(int averagingWindow, int historyLength, int warmUp, long trainingPoints, bool empiricalTail)
    {
        _recent = new double[averagingWindow];
        _history = new double[historyLength];
        _warmUp = warmUp;
        _trainingPoints = trainingPoints;
        _tail = empiricalTail ? new EmpiricalTail(historyLength) : null;
        _roots = empiricalTail;
        _fullHistoryDigits = Math.Log10(historyLength + 1.0);
    }

    /// <summary>Values averaged into the value a score judges.</summary>
    public int Window => _recent.Length;

    /// <summary>
    /// Whether the last <see cref="Update"/> judged its point: not a training point, nor one of
    /// the first, whose history was still too short to judge by.
    /// </summary>
    public bool Scored { get; private set; }

    /// <summary>
    /// The score of the next point's error: 0 for a point the model was trained on, for a missing
    /// (NaN) error, and while the history is shorter than the warm-up.
    /// </summary>
    public float Update(double error)
    {
        Scored = false;
        if (_points++ < _trainingPoints || double.IsNaN(error))
        {
            return 0;
        }
        _recent[(int)(_errors % _recent.Length)] = _roots ? Math.Sqrt(error) : error;
        _errors++;
        if (_errors < _recent.Length)
        {
            return 0;
        }
        // Summed afresh: errors span many orders of magnitude, and a running sum would keep the rounding of a huge one.
        double mean = 0;
        foreach (double e in _recent)
        {
            mean += e;
        }
        mean /= _recent.Length;
        Scored = _means >= _warmUp;
        float score = Scored ? Score(mean) : 0;
        Remember(mean);
        return score;
    }

    private float Score(double mean)
    {
        if (_tail is not null)
        {
            double digits = Math.Log10((_tail.Count + 1.0) / (_tail.CountAtLeast(mean) + 1.0));
            return (float)Math.Clamp(digits / _fullHistoryDigits, 0, 1);
        }
        long count = Math.Min(_means, _history.Length);
        double center = _historySum / count;
        double variance = Math.Max(_historySquares / count - center * center, 0);
        double z = (mean - center) / Math.Max(Math.Sqrt(variance), MinDeviation);
        return (float)Math.Clamp(-NormalTail.Log10(z) / ScoreDigits, 0, 1);
    }

    private void Remember(double mean)
    {
        int slot = (int)(_means % _history.Length);
        bool dominantLeaves = false;
        if (_means >= _history.Length)
        {
            double old = _history[slot];
            // Taking away a value that is most of a sum leaves only the rounding it carried (after an
            // error of 1e20 leaves, the squares' sum is off by about 1e24), so the sums are made afresh.
            // Zero carries no rounding, and a history of zeros must not be summed afresh every point.
            dominantLeaves = old > 0 && (old >= 0.5 * _historySum || old * old >= 0.5 * _historySquares);
            _historySum -= old;
            _historySquares -= old * old;
            _tail?.Replace(old, mean);
        }
        else
        {
            _tail?.Add(mean);
        }
        _history[slot] = mean;
        _historySum += mean;
        _historySquares += mean * mean;
        _means++;
        // Running sums drift by rounding as values come and go; a fresh sum once per history keeps them exact enough.
        if (slot == _history.Length - 1 || dominantLeaves)
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

    /// <summary>
    /// Averages <paramref name="window"/> values from now on: for a fresh likelihood that has read
    /// nothing (before a checkpoint's values are read into it, or one whose engine took a restored
    /// likelihood's window).
    /// </summary>
    public void FollowWindow(int window)
    {
        if (window != _recent.Length)
        {
            _recent = new double[window];
        }
    }

    /// <summary>Refuses a history that counts other points than the engine read (a re-signed edit).</summary>
    public void CheckAgrees(long points, string source, string what)
    {
        if (_points != points)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected {what} of the {points} points read, found one of {_points}"));
        }
    }

    /// <summary>Writes the whole state, so a restored likelihood scores the next error exactly as this one would.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_recent.Length);
        writer.Write(_history.Length);
        writer.Write(_warmUp);
        writer.Write(_trainingPoints);
        writer.Write((byte)(_tail is null ? TailKind.Normal : _roots ? TailKind.EmpiricalOverRoots : TailKind.Empirical));
        writer.Write(_points);
        writer.Write(_errors);
        writer.Write(_means);
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

    /// <summary>
    /// Reads a state <see cref="Write"/> wrote into checkpoint format <paramref name="format"/>; the
    /// settings must be this likelihood's. The tail is the checkpoint's, so that the restored
    /// engine scores as the one that wrote it did (whose options may have chosen another tail, or,
    /// before format 4, which held none, the normal tail; format 4's empirical tail ranked squared
    /// errors, format 5's ranks their square roots), and every later checkpoint keeps it;
    /// <paramref name="normalOnly"/> names a history no engine writes under the empirical tail (the novelty's), which is then refused.
    /// The averaging window must be <paramref name="window"/>; null takes the checkpoint's.
    /// </summary>
    public void Read(BinaryReader reader, string source, int format, int? window, string? normalOnly = null)
    {
        int foundWindow = reader.ReadInt32();
        CheckSetting(reader.ReadInt32(), _history.Length, "HistoryLength", source);
        if (window is int expected)
        {
            CheckSetting(foundWindow, expected, "AveragingWindow", source);
        }
        else if (foundWindow < 1 || foundWindow > _history.Length)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected an AveragingWindow of 1 to HistoryLength ({_history.Length}), found {foundWindow}"));
        }
        CheckSetting(reader.ReadInt32(), _warmUp, "WarmUpPoints", source);
        CheckSetting(reader.ReadInt64(), _trainingPoints, "TrainingPoints", source);
        var kind = format >= 4 ? (TailKind)reader.ReadByte() : TailKind.Normal;
        var newest = format >= 5 ? TailKind.EmpiricalOverRoots : TailKind.Empirical;
        if (kind > newest)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected a tail of 0 (normal) to {(int)newest} ({(format >= 5 ? "empirical, over square roots" : "empirical")}), found {(int)kind}"));
        }
        if (kind != TailKind.Normal && normalOnly is not null)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected {normalOnly} judged by the normal tail, found one judged by the empirical tail"));
        }
        _tail = kind != TailKind.Normal ? _tail ?? new EmpiricalTail(_history.Length) : null;
        _roots = kind == TailKind.EmpiricalOverRoots;
        FollowWindow(foundWindow);
        long points = reader.ReadInt64(), errors = reader.ReadInt64(), means = reader.ReadInt64();
        if (errors < 0 || means < 0 || means > errors || errors > points)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected counts of points ≥ errors ≥ means ≥ 0, found {points}, {errors} and {means}"));
        }
        // Update makes a mean once a window's errors have come; a checkpoint whose window was edited tells by its counts.
        if (means != Math.Max(0, errors - foundWindow + 1))
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected {Math.Max(0, errors - foundWindow + 1)} means of {errors} errors averaged {foundWindow} at a time, found {means}"));
        }
        (_points, _errors, _means) = (points, errors, means);
        _historySum = ReadFinite(reader, source);
        _historySquares = ReadFinite(reader, source);
        for (int i = 0; i < _recent.Length; i++)
        {
            _recent[i] = ReadError(reader, source, _roots);
        }
        long kept = Math.Min(_means, _history.Length);
        for (long i = 0; i < kept; i++)
        {
            _history[i] = ReadError(reader, source, _roots);
        }
        _tail?.Rebuild(_history.AsSpan(0, (int)kept));
    }

    // A history's tail as a checkpoint stores it: one byte (format 4 wrote a bool, 0 or 1).
    private enum TailKind : byte
    {
        Normal = 0,
        Empirical = 1,
        EmpiricalOverRoots = 2,
    }

    private static void CheckSetting(long found, long expected, string option, string source)
    {
        if (found != expected)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"it was written with LstmTimeSeriesOptions.{option} {found}, this engine has {expected}"));
        }
    }

    private static double ReadError(BinaryReader reader, string source, bool root)
    {
        double value = ReadFinite(reader, source);
        double bound = root ? Math.Sqrt(MaxError) : MaxError;
        if (value < 0 || value > bound)
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected {(root ? "an error's square root" : "a squared error")} from 0 to {bound:G3}, found {value}"));
        }
        return value;
    }

    private static double ReadFinite(BinaryReader reader, string source)
    {
        double value = reader.ReadDouble();
        if (!double.IsFinite(value))
        {
            throw LstmThrow.CheckpointInvalid(source, Invariant($"expected finite error statistics, found {value}"));
        }
        return value;
    }
}
