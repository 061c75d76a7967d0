namespace MLNet.Lstm;

/// <summary>
/// One bank of fixed dilated convolutions beside the LSTM, read as MiniRocket (Dempster, Schmidt
/// and Webb, 2021) reads its kernels: each kernel convolves the scaled, unpooled input with zero
/// padding of (KernelSize − 1) / 2 dilations on each side, and each of its thresholds gives one
/// feature, the proportion of positive values (PPV): the share of steps where the convolution
/// exceeds the threshold. A <see cref="Padded"/> bank counts every step; otherwise only the steps
/// the padding did not reach (every step when the row is too short to have any). The kernels are
/// not trained: training (<see cref="LstmTrainingOptions.KernelFeatures"/>) draws MiniRocket's 84
/// kernels and takes the thresholds from quantiles of the training rows' convolutions.
/// </summary>
/// <example>
/// <code>
/// var bank = new LstmKernelBankWeights(inputChannels: 1, kernels: 2, kernelSize: 9, dilation: 4, thresholdsPerKernel: 3, padded: true);
/// bank.Weight[0] = 2f; // kernel 0, channel 0, tap 0
/// </code>
/// </example>
public sealed class LstmKernelBankWeights
{
    /// <summary>Creates a zero-filled bank of the given shape.</summary>
    /// <param name="inputChannels">Channels each kernel reads: the model's features per step (F).</param>
    /// <param name="kernels">Kernels in the bank.</param>
    /// <param name="kernelSize">Taps of each kernel; odd, so the padding is the same on both sides.</param>
    /// <param name="dilation">Steps between neighbouring taps.</param>
    /// <param name="thresholdsPerKernel">Features each kernel gives, one per threshold.</param>
    /// <param name="padded">Whether the proportion counts every step (true) or only the steps the zero padding did not reach.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, the kernel size is even, a tensor would be longer than the longest .NET array, or the padding ((kernelSize − 1) / 2 dilations) longer than an Int32.</exception>
    /// <example>
    /// <code>
    /// var bank = new LstmKernelBankWeights(1, 42, 9, 1, 1, padded: false);
    /// </code>
    /// </example>
    public LstmKernelBankWeights(int inputChannels, int kernels, int kernelSize, int dilation, int thresholdsPerKernel, bool padded)
    {
        LstmThrow.IfKernelBankInvalid(inputChannels, kernels, kernelSize, dilation, thresholdsPerKernel);
        InputChannels = inputChannels;
        Kernels = kernels;
        KernelSize = kernelSize;
        Dilation = dilation;
        ThresholdsPerKernel = thresholdsPerKernel;
        Padded = padded;
        Weight = new float[kernels * inputChannels * kernelSize];
        Thresholds = new float[kernels * thresholdsPerKernel];
    }

    /// <summary>A deep copy of <paramref name="source"/>.</summary>
    internal LstmKernelBankWeights(LstmKernelBankWeights source)
        : this(source.InputChannels, source.Kernels, source.KernelSize, source.Dilation, source.ThresholdsPerKernel, source.Padded)
    {
        source.Weight.CopyTo(Weight, 0);
        source.Thresholds.CopyTo(Thresholds, 0);
    }

    /// <summary>Channels each kernel reads: the model's features per step (F).</summary>
    /// <example>
    /// <code>
    /// bool fits = bank.InputChannels == weights.InputSize;
    /// </code>
    /// </example>
    public int InputChannels { get; }

    /// <summary>Kernels in the bank.</summary>
    /// <example>
    /// <code>
    /// int features = bank.Kernels * bank.ThresholdsPerKernel; // == bank.FeatureSize
    /// </code>
    /// </example>
    public int Kernels { get; }

    /// <summary>Taps of each kernel (odd; MiniRocket's 9).</summary>
    /// <example>
    /// <code>
    /// int span = (bank.KernelSize - 1) * bank.Dilation + 1; // steps one output reads
    /// </code>
    /// </example>
    public int KernelSize { get; }

    /// <summary>Steps between neighbouring taps.</summary>
    /// <example>
    /// <code>
    /// int padding = (bank.KernelSize - 1) / 2 * bank.Dilation; // zero steps before and after the row
    /// </code>
    /// </example>
    public int Dilation { get; }

    /// <summary>Features each kernel gives, one per threshold.</summary>
    /// <example>
    /// <code>
    /// float firstOfKernel2 = bank.Thresholds[2 * bank.ThresholdsPerKernel];
    /// </code>
    /// </example>
    public int ThresholdsPerKernel { get; }

    /// <summary>Whether each proportion counts every step (true), or only the steps the zero padding did not reach.</summary>
    /// <example>
    /// <code>
    /// string over = bank.Padded ? "every step" : "the steps away from the edges";
    /// </code>
    /// </example>
    public bool Padded { get; }

    /// <summary>Values per row the bank gives: <see cref="Kernels"/> × <see cref="ThresholdsPerKernel"/>, kernel by kernel.</summary>
    /// <example>
    /// <code>
    /// int total = weights.KernelBanks.Sum(b => b.FeatureSize); // == weights.KernelFeatureSize
    /// </code>
    /// </example>
    public int FeatureSize => Kernels * ThresholdsPerKernel;

    /// <summary>The kernels: Kernels × InputChannels × KernelSize, row-major (ONNX's and PyTorch's Conv weight layout).</summary>
    /// <example>
    /// <code>
    /// float tap = bank.Weight[(k * bank.InputChannels + c) * bank.KernelSize + j];
    /// </code>
    /// </example>
    public float[] Weight { get; }

    /// <summary>The thresholds: Kernels × ThresholdsPerKernel, row-major; feature (k, i) is the share of steps where kernel k's convolution exceeds threshold i.</summary>
    /// <example>
    /// <code>
    /// float threshold = bank.Thresholds[k * bank.ThresholdsPerKernel + i];
    /// </code>
    /// </example>
    public float[] Thresholds { get; }
}
