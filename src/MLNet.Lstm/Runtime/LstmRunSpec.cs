namespace MLNet.Lstm.Runtime;

/// <summary>
/// Everything the runner needs, and nothing else: the graph already rewritten to output one
/// representation, its input's name and width, the output width, and the session settings.
/// The runner never sees the public model or options, so what reaches native code is this.
/// </summary>
/// <param name="Onnx">The representation graph's bytes.</param>
/// <param name="InputName">The graph input that takes [rows, steps, features].</param>
/// <param name="InputSize">Features per step (F).</param>
/// <param name="OutputSize">Values per row of the representation.</param>
/// <param name="IntraOpNumThreads">ONNX Runtime's intra-op threads; null for every core.</param>
/// <param name="GpuDeviceId">The CUDA device to run on; null for the CPU.</param>
/// <param name="FallbackToCpu">Run on the CPU when the GPU cannot be used, instead of failing.</param>
internal sealed record LstmRunSpec(byte[] Onnx, string InputName, int InputSize, int OutputSize,
    int? IntraOpNumThreads, int? GpuDeviceId, bool FallbackToCpu)
{
    public static LstmRunSpec For(LstmModel model, LstmFeaturizerOptions options)
    {
        var (onnx, size) = model.ToRepresentationGraph(options.Representation, options.Precision);
        return new LstmRunSpec(onnx, model.Graph.InputName, model.InputSize, size,
            options.IntraOpNumThreads, options.GpuDeviceId, options.FallbackToCpu);
    }
}
