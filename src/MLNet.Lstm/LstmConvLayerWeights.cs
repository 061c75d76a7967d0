namespace MLNet.Lstm;

/// <summary>
/// One layer of the convolutional branch beside the LSTM, as PyTorch stores
/// <c>nn.Conv1d(InputChannels, OutputChannels, KernelSize, padding='same')</c>: stride and
/// dilation 1, one group, a bias, followed by ReLU. An even kernel pads one step more after the
/// sequence than before it, as PyTorch's <c>padding='same'</c> does. Batch normalisation, when
/// training uses it, is folded into <see cref="Weight"/> and <see cref="Bias"/>.
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
    public int InputChannels { get; }

    /// <summary>Channels (filters) this layer writes.</summary>
    public int OutputChannels { get; }

    /// <summary>Steps each filter spans.</summary>
    public int KernelSize { get; }

    /// <summary>Steps of zero padding before the sequence, (KernelSize − 1) / 2; the rest of KernelSize − 1 go after it.</summary>
    public int PadBefore => (KernelSize - 1) / 2;

    /// <summary><c>weight</c>: OutputChannels × InputChannels × KernelSize, row-major.</summary>
    public float[] Weight { get; }

    /// <summary><c>bias</c>: OutputChannels values.</summary>
    public float[] Bias { get; }
}
