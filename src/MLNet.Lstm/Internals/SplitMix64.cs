namespace MLNet.Lstm;

/// <summary>
/// A fixed pseudo-random generator (SplitMix64) for weight initialisation: System.Random's
/// seeded sequence may change between .NET versions, and a seed must mean the same model everywhere.
/// </summary>
internal struct SplitMix64(long seed)
{
    private ulong _state = unchecked((ulong)seed);

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Moves on as <paramref name="count"/> calls of <see cref="Next"/> would: the state advances by one constant per call.</summary>
    public void Skip(long count) => _state += unchecked((ulong)count * 0x9E3779B97F4A7C15UL);

    /// <summary>Fills <paramref name="values"/> uniformly in [-bound, bound).</summary>
    public void FillUniform(Span<float> values, float bound)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float unit = (Next() >> 40) * (1f / (1 << 24));
            values[i] = bound * (2f * unit - 1f);
        }
    }
}
