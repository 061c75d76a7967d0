namespace MLNet.Lstm;

/// <summary>Every default value of MLNet.Lstm, in one place.</summary>
internal static class LstmDefaults
{
    public const string OutputColumnName = "Features";
    public const string InputColumnName = "Sequence";
    public const LstmRepresentation Representation = LstmRepresentation.LastHidden;

    /// <summary>
    /// Memory for caching the featurizer's output per transformed view: about 900,000 rows of a
    /// 64-value representation (296 bytes a row with its id). Most training sets fit; a single
    /// pass over a longer stream holds no more than this.
    /// </summary>
    public const long OutputCacheBytes = 256L * 1024 * 1024;

    /// <summary>Steps assumed when choosing a batch size for sequences whose length the schema does not give.</summary>
    private const int AssumedSteps = 32;

    /// <summary>
    /// Rows × steps × hidden units per batch. ONNX Runtime's LSTM keeps per-step activations of
    /// that size; past about this much they leave the cache and a batch gets slower per row,
    /// while fewer rows pay the per-call cost more often (BENCHMARKS.md, batch size sweep).
    /// </summary>
    private const double BatchWork = 800_000;

    /// <summary>
    /// Rows per ONNX Runtime call when <see cref="LstmFeaturizerOptions.BatchSize"/> is 0: a power of
    /// two from 16 to 1024 near <see cref="BatchWork"/> / (steps × hidden units). The seed model
    /// (10 steps, 64 units) gets 1024; a 100-step, 128-unit model gets 64.
    /// </summary>
    public static int BatchSize(int? steps, int hiddenUnits)
    {
        double rows = BatchWork / ((double)(steps ?? AssumedSteps) * hiddenUnits);
        int power = (int)Math.Round(Math.Log2(Math.Max(rows, 1)));
        return 1 << Math.Clamp(power, 4, 10);
    }
}
