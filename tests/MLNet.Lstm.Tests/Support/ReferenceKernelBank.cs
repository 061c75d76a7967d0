namespace MLNet.Lstm.Tests.Support;

/// <summary>
/// MiniRocket's features computed plainly from <see cref="LstmWeights.KernelBanks"/>: each kernel
/// convolved with the scaled row (zeros beyond it), the share of the counted steps above each
/// threshold, then the standardization of those last values of the LastMeanMax features; the
/// reference the graph's kernel features are held to.
/// </summary>
internal static class ReferenceKernelBank
{
    /// <param name="sequence">One row, [T][F], as the featurizer reads it (before scaling).</param>
    public static float[] Features(LstmWeights weights, float[][] sequence)
    {
        var scaled = ConvBranchModels.ScaledAndPooled(weights, sequence, stride: 1);
        int steps = scaled.Length;
        var features = new List<float>();
        foreach (var bank in weights.KernelBanks)
        {
            int half = bank.KernelSize / 2, padding = half * bank.Dilation;
            bool interior = !bank.Padded && steps > 2 * padding;
            int from = interior ? padding : 0, to = interior ? steps - padding : steps;
            for (int k = 0; k < bank.Kernels; k++)
            {
                var convolution = new double[steps];
                for (int t = 0; t < steps; t++)
                {
                    for (int c = 0; c < bank.InputChannels; c++)
                    {
                        for (int j = 0; j < bank.KernelSize; j++)
                        {
                            int s = t + (j - half) * bank.Dilation;
                            if (s >= 0 && s < steps)
                            {
                                convolution[t] += bank.Weight[(k * bank.InputChannels + c) * bank.KernelSize + j] * scaled[s][c];
                            }
                        }
                    }
                }
                for (int i = 0; i < bank.ThresholdsPerKernel; i++)
                {
                    double threshold = bank.Thresholds[k * bank.ThresholdsPerKernel + i];
                    features.Add((float)((double)convolution[from..to].Count(v => v > threshold) / (to - from)));
                }
            }
        }
        var result = features.ToArray();
        int start = weights.FeatureSize - weights.KernelFeatureSize;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (result[i] - (weights.FeatureOffset?[start + i] ?? 0f)) * (weights.FeatureScale?[start + i] ?? 1f);
        }
        return result;
    }
}
