namespace MLNet.Lstm.Training;

/// <summary>
/// Fits MiniRocket's kernel features (Dempster, Schmidt and Webb, 2021) to the training rows, as
/// sktime's MiniRocket and MiniRocketMultivariate fit them: the 84 kernels of 9 taps (3 weighted
/// 2, 6 weighted −1), dilations 2^(e·i/(n − 1)) up to the span of the shortest row, each
/// dilation's share of the features by how often it occurs, each kernel's thresholds the
/// quantiles (the golden ratio's multiples mod 1) of its convolution of one random training row,
/// padding alternating between kernels, and for several features a random subset of channels
/// per kernel. The graph's Conv, Greater and ReduceMean nodes compute the proportions
/// (<see cref="Onnx.OnnxKernelBankNodes"/>); the featurizer's standardization covers them.
/// </summary>
internal static class KernelBankFit
{
    /// <summary>The 84 kernels' taps weighted 2.</summary>
    private static readonly (int A, int B, int C)[] Taps = Combinations();

    /// <param name="rows">Training rows.</param>
    /// <param name="minSteps">Steps of the shortest row.</param>
    /// <param name="row">Row i, time-major [T, F], scaled as the graph's Sub and Mul scale it: only the rows drawn are read.</param>
    /// <param name="inputSize">Features per step (F).</param>
    /// <param name="featureCount">Features to fit, a multiple of <see cref="LstmDefaults.KernelCount"/>.</param>
    /// <returns>Per dilation, the bank of the kernels it pads and the bank of those it does not.</returns>
    public static LstmKernelBankWeights[] Fit(int rows, int minSteps, Func<int, float[]> row, int inputSize, int featureCount)
    {
        int perKernel = featureCount / LstmDefaults.KernelCount;
        var (dilations, counts) = Dilations(minSteps, perKernel);
        var random = new Random(LstmDefaults.KernelSeed);
        var banks = new List<LstmKernelBankWeights>(2 * dilations.Length);
        int feature = 0;
        for (int d = 0; d < dilations.Length; d++)
        {
            // MiniRocket pads every other kernel, starting with kernel 0 at even dilation indices and kernel 1 at odd ones.
            var padded = new LstmKernelBankWeights(inputSize, LstmDefaults.KernelCount / 2, LstmDefaults.KernelTaps, dilations[d], counts[d], padded: true);
            var interior = new LstmKernelBankWeights(inputSize, LstmDefaults.KernelCount / 2, LstmDefaults.KernelTaps, dilations[d], counts[d], padded: false);
            for (int k = 0; k < LstmDefaults.KernelCount; k++)
            {
                var bank = (d % 2 + k) % 2 == 0 ? padded : interior;
                int slot = k / 2;
                SetKernel(bank, slot, Taps[k], Channels(random, inputSize));
                var convolved = Convolve(bank, slot, row(random.Next(rows)));
                Array.Sort(convolved);
                for (int i = 0; i < counts[d]; i++, feature++)
                {
                    bank.Thresholds[slot * counts[d] + i] = Quantile(convolved, (float)((feature + 1) * ((Math.Sqrt(5) + 1) / 2) % 1));
                }
            }
            banks.Add(padded);
            banks.Add(interior);
        }
        return [.. banks];
    }

    /// <summary>
    /// sktime's dilations: 2^(e·i/(n − 1)) truncated for n = min(features per kernel, 32) exponents
    /// e up to log2((T − 1)/8) of the shortest row (0 for rows shorter than a kernel), and each
    /// distinct dilation's features per kernel by how often it occurs, the remainder to the first.
    /// </summary>
    private static (int[] Dilations, int[] Counts) Dilations(int minSteps, int perKernel)
    {
        int exponents = Math.Min(perKernel, LstmDefaults.MaxKernelDilations);
        double multiplier = (double)perKernel / exponents;
        double maxExponent = Math.Max(0, Math.Log2((minSteps - 1) / (double)(LstmDefaults.KernelTaps - 1)));
        var all = new int[exponents];
        for (int i = 0; i < exponents; i++)
        {
            all[i] = (int)Math.Pow(2, exponents == 1 ? 0 : maxExponent * i / (exponents - 1));
        }
        var dilations = all.Distinct().Order().ToArray();
        var counts = Array.ConvertAll(dilations, d => (int)(all.Count(x => x == d) * multiplier));
        for (int i = 0, remainder = perKernel - counts.Sum(); remainder > 0; i = (i + 1) % counts.Length, remainder--)
        {
            counts[i]++;
        }
        return (dilations, counts);
    }

    /// <summary>The channels one kernel reads: all of one; of several, 2^U(0, log2(min(F, 9) + 1)) of them drawn without replacement, as MiniRocketMultivariate draws them.</summary>
    private static int[] Channels(Random random, int inputSize)
    {
        if (inputSize == 1)
        {
            return [0];
        }
        int count = (int)Math.Pow(2, random.NextDouble() * Math.Log2(Math.Min(inputSize, LstmDefaults.KernelTaps) + 1));
        var all = Enumerable.Range(0, inputSize).ToArray();
        random.Shuffle(all);
        return all[..Math.Clamp(count, 1, inputSize)];
    }

    private static void SetKernel(LstmKernelBankWeights bank, int slot, (int A, int B, int C) taps, int[] channels)
    {
        int size = bank.KernelSize;
        foreach (int c in channels)
        {
            var tapsOfChannel = bank.Weight.AsSpan((slot * bank.InputChannels + c) * size, size);
            tapsOfChannel.Fill(-1f);
            tapsOfChannel[taps.A] = tapsOfChannel[taps.B] = tapsOfChannel[taps.C] = 2f;
        }
    }

    /// <summary>Kernel <paramref name="slot"/>'s convolution of a [T, F] row at every step, zero beyond the row.</summary>
    private static float[] Convolve(LstmKernelBankWeights bank, int slot, ReadOnlySpan<float> row)
    {
        int f = bank.InputChannels, size = bank.KernelSize, steps = row.Length / f, half = size / 2;
        var convolved = new float[steps];
        var weights = bank.Weight.AsSpan(slot * f * size, f * size);
        for (int t = 0; t < steps; t++)
        {
            float sum = 0;
            for (int c = 0; c < f; c++)
            {
                for (int j = 0; j < size; j++)
                {
                    int s = t + (j - half) * bank.Dilation;
                    if ((uint)s < (uint)steps)
                    {
                        sum += weights[c * size + j] * row[s * f + c];
                    }
                }
            }
            convolved[t] = sum;
        }
        return convolved;
    }

    /// <summary>numpy's default (linear) quantile of sorted values.</summary>
    private static float Quantile(float[] sorted, float q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)position;
        int high = Math.Min(low + 1, sorted.Length - 1);
        return (float)(sorted[low] + (sorted[high] - sorted[low]) * (position - low));
    }

    private static (int, int, int)[] Combinations()
    {
        var kernels = new List<(int, int, int)>(LstmDefaults.KernelCount);
        for (int a = 0; a < LstmDefaults.KernelTaps; a++)
        {
            for (int b = a + 1; b < LstmDefaults.KernelTaps; b++)
            {
                for (int c = b + 1; c < LstmDefaults.KernelTaps; c++)
                {
                    kernels.Add((a, b, c));
                }
            }
        }
        return [.. kernels];
    }
}
