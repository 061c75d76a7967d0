namespace MLNet.Lstm.Runtime;

/// <summary>
/// Everything the runner needs, and nothing else: the graph already rewritten to output one
/// representation, its input's and output's names and widths, and the session settings.
/// The public layer fills it from the model and options; the runner never sees either, so what
/// reaches native code is this.
/// </summary>
/// <param name="Onnx">The representation graph's bytes.</param>
/// <param name="InputName">The graph input that takes [rows, steps, features].</param>
/// <param name="OutputName">The graph output that gives [rows, size].</param>
/// <param name="InputSize">Features per step (F).</param>
/// <param name="OutputSize">Values per row of the representation.</param>
/// <param name="IntraOpNumThreads">ONNX Runtime's intra-op threads; null for every core.</param>
/// <param name="GpuDeviceId">The CUDA device to run on; null for the CPU.</param>
/// <param name="FallbackToCpu">Run on the CPU when the GPU cannot be used, instead of failing.</param>
internal sealed record LstmRunSpec(byte[] Onnx, string InputName, string OutputName, int InputSize, int OutputSize,
    int? IntraOpNumThreads, int? GpuDeviceId, bool FallbackToCpu);
