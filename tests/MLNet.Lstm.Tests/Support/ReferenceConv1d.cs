namespace MLNet.Lstm.Tests.Support;

/// <summary>The convolutional branch as plain loops in double: what ONNX Runtime and training must both compute.</summary>
internal static class ReferenceConv1d
{
    /// <summary>
    /// The branch's features for one sequence [T][F] as the LSTM reads it (already scaled and
    /// pooled): the last layer's mean over every step, then (<see cref="LstmWeights.ConvHalves"/>)
    /// over the first ⌈T/2⌉ steps and over the last ⌈T/2⌉.
    /// </summary>
    public static double[] Features(LstmWeights weights, float[][] sequence)
    {
        int steps = sequence.Length;
        var x = sequence.Select(step => step.Select(v => (double)v).ToArray()).ToArray();
        for (int i = 0; i < weights.ConvLayerCount; i++)
        {
            var layer = weights.GetConvLayer(i);
            var y = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                y[t] = new double[layer.OutputChannels];
                for (int o = 0; o < layer.OutputChannels; o++)
                {
                    double sum = layer.Bias[o];
                    for (int k = 0; k < layer.KernelSize; k++)
                    {
                        int source = t + k - (layer.KernelSize - 1) / 2;
                        if (source < 0 || source >= steps)
                        {
                            continue;
                        }
                        for (int c = 0; c < layer.InputChannels; c++)
                        {
                            sum += layer.Weight[(o * layer.InputChannels + c) * layer.KernelSize + k] * x[source][c];
                        }
                    }
                    y[t][o] = Math.Max(0, sum);
                }
            }
            x = y;
        }
        double[] Mean(int first, int end) => [.. Enumerable.Range(0, x[0].Length).Select(c => x[first..end].Average(step => step[c]))];
        return weights.ConvHalves ? [.. Mean(0, steps), .. Mean(0, (steps + 1) / 2), .. Mean(steps / 2, steps)] : Mean(0, steps);
    }
}
