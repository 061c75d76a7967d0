namespace MLNet.Lstm.Streaming;

/// <summary>
/// A rolling history's values kept sorted, so that how many of them are at least a given value
/// is one binary search: the empirical upper tail <see cref="AnomalyLikelihood"/> scores forecast
/// errors by. A value joining a full history takes the place of the one leaving it by one move of
/// the values between the two places (a few microseconds for the default 8,640).
/// </summary>
internal sealed class EmpiricalTail(int capacity)
{
    private readonly double[] _sorted = new double[capacity];

    /// <summary>Values kept.</summary>
    public int Count { get; private set; }

    /// <summary>How many kept values are at least <paramref name="value"/>.</summary>
    public int CountAtLeast(double value) => Count - FirstAtLeast(value);

    /// <summary>Keeps one more value; the history is not full yet.</summary>
    public void Add(double value)
    {
        int at = FirstAtLeast(value);
        Array.Copy(_sorted, at, _sorted, at + 1, Count - at);
        _sorted[at] = value;
        Count++;
    }

    /// <summary>Drops <paramref name="leaving"/>, a value kept, and keeps <paramref name="joining"/> instead.</summary>
    public void Replace(double leaving, double joining)
    {
        // Both places are found before anything moves: the leaving value's is where it lies.
        int from = FirstAtLeast(leaving);
        int to = FirstAtLeast(joining);
        if (to > from)
        {
            to--;
            Array.Copy(_sorted, from + 1, _sorted, from, to - from);
        }
        else
        {
            Array.Copy(_sorted, to, _sorted, to + 1, from - to);
        }
        _sorted[to] = joining;
    }

    /// <summary>Keeps exactly <paramref name="values"/>, as a restored history holds them.</summary>
    public void Rebuild(ReadOnlySpan<double> values)
    {
        values.CopyTo(_sorted);
        Count = values.Length;
        Array.Sort(_sorted, 0, Count);
    }

    private int FirstAtLeast(double value)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            int middle = low + (high - low) / 2;
            if (_sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
