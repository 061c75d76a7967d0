using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>What <see cref="OnnxLstmGraphReader"/> found in an ONNX graph.</summary>
/// <param name="LstmNodes">The LSTM nodes in graph order: layer 0 first.</param>
/// <param name="InputName">The graph input that takes the batch-major sequence tensor [N, T, F].</param>
/// <param name="FixedBatchSize">The input's batch dimension when the graph fixes it, else null.</param>
/// <param name="FixedSequenceLength">The input's time dimension when the graph fixes it, else null.</param>
/// <param name="InputSize">F, read from the first LSTM's W.</param>
/// <param name="HiddenSize">H, the LSTM nodes' hidden_size.</param>
/// <param name="Bidirectional">Whether the LSTM nodes read both directions.</param>
/// <param name="OutputName">The graph's first declared output.</param>
/// <param name="OutputSize">Values per row of that output, from its declared shape; 0 when that shape does not fix them.</param>
/// <param name="Opset">The default-domain opset the graph imports.</param>
/// <param name="InputOffset">What the graph subtracts from each feature before the LSTM (our own scaling node), else null.</param>
/// <param name="InputScale">What the graph multiplies each feature by before the LSTM (our own scaling node), else null.</param>
/// <param name="PoolingStride">Steps the graph averages into one before the LSTM (our own pooling node), else 1.</param>
/// <param name="HeadInput">What the head reads: the last step, or our concatenation of the last, mean and max states.</param>
/// <param name="Source">The file (or "stream") the graph came from, for messages.</param>
/// <param name="StateInputs">Graph inputs that only carry initial LSTM states; the featurizer runs them as zeros.</param>
/// <param name="OutputShape">The declared output's name and shape, for messages.</param>
/// <param name="ConvLayers">Our convolutional branch's Conv nodes in order; empty without one.</param>
/// <param name="ConvFeatureSize">Values per row of that branch's features (<see cref="OnnxLstmGraphBuilder.ConvFeaturesName"/>); 0 without one.</param>
/// <param name="KernelBanks">Our kernel banks, read back (<see cref="OnnxKernelBankReader"/>); empty without them.</param>
/// <param name="FeatureOffset">What the featurizer subtracts from each LastMeanMax feature (the graph's <see cref="OnnxLstmGraphBuilder.FeatureOffsetName"/>), else null.</param>
/// <param name="FeatureScale">What the featurizer multiplies each LastMeanMax feature by (<see cref="OnnxLstmGraphBuilder.FeatureScaleName"/>), else null.</param>
internal sealed record LstmGraphInfo(
    IReadOnlyList<NodeProto> LstmNodes,
    string InputName,
    long? FixedBatchSize,
    long? FixedSequenceLength,
    int InputSize,
    int HiddenSize,
    bool Bidirectional,
    string OutputName,
    int OutputSize,
    long Opset,
    float[]? InputOffset = null,
    float[]? InputScale = null,
    int PoolingStride = 1,
    LstmHeadInput HeadInput = LstmHeadInput.LastStep,
    string Source = "",
    IReadOnlyList<string>? StateInputs = null,
    string OutputShape = "",
    IReadOnlyList<NodeProto>? ConvLayers = null,
    int ConvFeatureSize = 0,
    IReadOnlyList<LstmKernelBankWeights>? KernelBanks = null,
    float[]? FeatureOffset = null,
    float[]? FeatureScale = null)
{
    /// <summary>Values per row of the kernel banks' features (<see cref="OnnxKernelBankNodes.FeaturesName"/>); 0 without them.</summary>
    public int KernelFeatureSize => KernelBanks?.Sum(b => b.FeatureSize) ?? 0;

    public int NumLayers => LstmNodes.Count;

    public int NumDirections => Bidirectional ? 2 : 1;
}
