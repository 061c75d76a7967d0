namespace MLNet.Lstm;

/// <summary>Options of <see cref="LstmFeaturizerEstimator"/>: which columns it reads, what it writes.</summary>
/// <example>
/// <code>
/// var options = new LstmFeaturizerOptions
/// {
///     InputColumnNames = ["Sequence"],
///     OutputColumnName = "Features",
///     Representation = LstmRepresentation.LastHiddenAllLayers,
/// };
/// var pipeline = mlContext.Transforms.LstmFeaturizeSequence(model, options);
/// </code>
/// </example>
public sealed class LstmFeaturizerOptions
{
    /// <summary>The column the featurizer adds: a known-size vector of Single. Default "Features".</summary>
    public string OutputColumnName { get; set; } = LstmDefaults.OutputColumnName;

    /// <summary>
    /// Either one column, a vector of Single holding T × F values time-major
    /// (t0f0, t0f1, …, t1f0, …), or F columns, one per feature, each a vector of T values.
    /// Known-size vectors give every row T steps; variable-size vectors give each row its own T.
    /// Default: one column "Sequence".
    /// </summary>
    public string[] InputColumnNames { get; set; } = [LstmDefaults.InputColumnName];

    /// <summary>What the featurizer hands on per sequence. Default <see cref="LstmRepresentation.LastMeanMax"/>: the last, mean and max hidden state, 3·D·H values.</summary>
    public LstmRepresentation Representation { get; set; } = LstmDefaults.Representation;

    /// <summary>
    /// Rows per ONNX Runtime call; 0 (default) chooses from the sequence length and hidden size:
    /// 1024 rows for short sequences and small models, down to 64 or fewer for long ones. By default
    /// every batch keeps rows × steps × hidden units near 800,000; sequences whose length the
    /// schema does not give fill a batch by their real lengths, so very long ones go four to a call.
    /// A positive value is taken as is, for every length.
    /// At most 65,536: past about 1,024 rows a batch is no faster per row, only larger.
    /// </summary>
    public int BatchSize { get; set; }

    /// <summary>
    /// Optional numeric column holding each row's number of steps, for sequences padded into
    /// known-size vectors: steps past the length are ignored. Null (default): every value of
    /// the vector belongs to the sequence, and a variable-size vector holds sequences of any length.
    /// </summary>
    public string? SequenceLengthColumnName { get; set; }

    /// <summary>
    /// Threads ONNX Runtime uses inside one call (intra-op); null (default) uses all the
    /// machine's cores. One transformer shares one session, so this is the featurizer's whole budget.
    /// At most 256: ONNX Runtime starts every thread when the session is created, and threads
    /// beyond the cores only take turns.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>
    /// GPU to run on through ONNX Runtime's CUDA execution provider (the app must reference
    /// Microsoft.ML.OnnxRuntime.Gpu); null (default) runs on the CPU.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// With <see cref="GpuDeviceId"/> set: true runs on the CPU when the GPU cannot be used;
    /// false (default) throws instead.
    /// </summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>
    /// The arithmetic of the LSTM in ONNX Runtime's CPU session: <see cref="LstmPrecision.Float32"/>
    /// (default) or ONNX Runtime's int8 LSTM, <see cref="LstmPrecision.Int8"/>. Applied when the
    /// session is made, to any model, PyTorch's included; never saved in model.zip, <c>SaveOnnx</c>
    /// or an ONNX export, which stay fp32.
    /// </summary>
    public LstmPrecision Precision { get; set; }

    /// <summary>
    /// Memory, in bytes, for caching the featurizer's output for each input view it transforms;
    /// 0 turns the cache off. Default 256 MB.
    /// </summary>
    /// <remarks>
    /// ML.NET trainers read their input many times, while scoring and evaluation read it once.
    /// A first pass over an input caches nothing, so one-pass readers pay nothing for the cache.
    /// Once a pass has read the whole input, the next pass (through any view that
    /// <c>Transform</c> returned for that input) keeps every row's representation (its values plus
    /// about 40 bytes for its row id), and later passes, shuffled or not, read them instead of
    /// running the LSTM again: a pipeline without <c>AppendCacheCheckpoint</c> after the featurizer
    /// runs it twice, not once per pass. Output larger than this is not cached, and one warning in
    /// <c>mlContext.Log</c> says so. Not saved in model.zip: a loaded featurizer has the default.
    /// </remarks>
    /// <example>
    /// <code>
    /// // A single pass over a stream of millions of rows needs no cache.
    /// var options = new LstmFeaturizerOptions { OutputCacheBytes = 0 };
    /// </code>
    /// </example>
    public long OutputCacheBytes { get; set; } = LstmDefaults.OutputCacheBytes;

    internal LstmFeaturizerOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName))
        {
            throw LstmThrow.OutputColumnNameMissing();
        }
        if (InputColumnNames is null || InputColumnNames.Length == 0 || InputColumnNames.Any(string.IsNullOrWhiteSpace))
        {
            throw LstmThrow.InputColumnNamesMissing();
        }
        if (BatchSize < 0)
        {
            throw LstmThrow.BatchSizeNegative(BatchSize);
        }
        if (IntraOpNumThreads is int threads && threads < 1)
        {
            throw LstmThrow.IntraOpThreadsBelowOne(threads);
        }
        if (BatchSize > LstmDefaults.MaxBatchSize)
        {
            throw LstmThrow.BatchSizeTooLarge(BatchSize);
        }
        if (IntraOpNumThreads > LstmDefaults.MaxIntraOpThreads)
        {
            throw LstmThrow.IntraOpThreadsTooMany(IntraOpNumThreads.Value);
        }
        if (GpuDeviceId is int device && device < 0)
        {
            throw LstmThrow.GpuDeviceIdNegative(device);
        }
        if (OutputCacheBytes < 0)
        {
            throw LstmThrow.OutputCacheBytesNegative(OutputCacheBytes);
        }
        if (!Enum.IsDefined(Precision))
        {
            throw LstmThrow.PrecisionUndefined(Precision);
        }
        if (Precision == LstmPrecision.Int8 && GpuDeviceId is int gpu)
        {
            throw LstmThrow.Int8OnGpu(gpu);
        }
        if (!Enum.IsDefined(Representation))
        {
            throw LstmThrow.RepresentationUndefined(Representation);
        }
        return new LstmFeaturizerOptions
        {
            OutputColumnName = OutputColumnName,
            InputColumnNames = [.. InputColumnNames],
            Representation = Representation,
            BatchSize = BatchSize,
            SequenceLengthColumnName = string.IsNullOrWhiteSpace(SequenceLengthColumnName) ? null : SequenceLengthColumnName,
            IntraOpNumThreads = IntraOpNumThreads,
            GpuDeviceId = GpuDeviceId,
            FallbackToCpu = FallbackToCpu,
            OutputCacheBytes = OutputCacheBytes,
            Precision = Precision,
        };
    }
}
