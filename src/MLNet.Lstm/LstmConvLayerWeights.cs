namespace MLNet.Lstm;

/// <summary>
/// One layer of the convolutional branch beside the LSTM, as PyTorch stores
/// <c>nn.Conv1d(InputChannels, OutputChannels, KernelSize, padding='same')</c>: stride and
/// dilation 1, one group, a bias, followed by ReLU. An even kernel pads one step more after the
/// sequence than before it, as PyTorch's <c>padding='same'</c> does. A PyTorch layer with batch
/// normalisation after it is carried by folding the normalisation into <see cref="Weight"/> and
/// <see cref="Bias"/> (w·γ/√(σ²+ε) per channel, (b − μ)·γ/√(σ²+ε) + β), which is exact in eval mode.
/// </summary>
/// <example>
/// <code>
/// LstmConvLayerWeights conv = model.GetWeights().GetConvLayer(0);
/// float firstTap = conv.Weight[0]; // output channel 0, input channel 0, kernel step 0
/// </code>
/// </example>
public sealed class LstmConvLayerWeights
{
    internal LstmConvLayerWeights(int inputChannels, int outputChannels, int kernelSize)
    {
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        KernelSize = kernelSize;
        Weight = new float[checked(outputChannels * inputChannels * kernelSize)];
        Bias = new float[outputChannels];
    }

    /// <summary>Channels this layer reads: the features per step (F) for layer 0, the previous layer's channels above it.</summary>
    /// <example>
    /// <code>
    /// int window = conv.InputChannels * conv.KernelSize; // values each filter weighs
    /// </code>
    /// </example>
    public int InputChannels { get; }

    /// <summary>Channels (filters) this layer writes.</summary>
    /// <example>
    /// <code>
    /// float[] filter0 = conv.Weight[..(conv.InputChannels * conv.KernelSize)];
    /// </code>
    /// </example>
    public int OutputChannels { get; }

    /// <summary>Steps each filter spans.</summary>
    /// <example>
    /// <code>
    /// int padAfter = conv.KernelSize - 1 - conv.PadBefore;
    /// </code>
    /// </example>
    public int KernelSize { get; }

    /// <summary>Steps of zero padding before the sequence, (KernelSize − 1) / 2; the rest of KernelSize − 1 go after it.</summary>
    /// <example>
    /// <code>
    /// // kernel 8: 3 steps of zeros before the sequence, 4 after, so each output step has a window of 8
    /// </code>
    /// </example>
    public int PadBefore => (KernelSize - 1) / 2;

    /// <summary><c>weight</c>: OutputChannels × InputChannels × KernelSize, row-major.</summary>
    /// <example>
    /// <code>
    /// float tap = conv.Weight[(o * conv.InputChannels + c) * conv.KernelSize + k]; // PyTorch's weight[o, c, k]
    /// </code>
    /// </example>
    public float[] Weight { get; }

    /// <summary><c>bias</c>: OutputChannels values.</summary>
    /// <example>
    /// <code>
    /// Array.Fill(conv.Bias, 0.1f);
    /// </code>
    /// </example>
    public float[] Bias { get; }
}
