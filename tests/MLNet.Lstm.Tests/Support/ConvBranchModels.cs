using Microsoft.ML;

namespace MLNet.Lstm.Tests.Support;

/// <summary>The small branch model the convolutional tests share, and the plain loops their ONNX features are checked against.</summary>
internal static class ConvBranchModels
{
    /// <summary>F 2, H 6, a 3-output head on the last, mean and max states, branch 3-5-2 channels of kernels 4-1-6 (with or without halves), scaled and pooled by 2.</summary>
    public static LstmWeights RandomWeights(int seed = 7, bool halves = false)
    {
        var weights = new LstmWeights(2, 6, outputSize: 3, convChannels: [3, 5, 2], convKernelSizes: [4, 1, 6])
        {
            HeadInput = LstmHeadInput.LastMeanMax,
            InputOffset = [0.5f, -1f],
            InputScale = [2f, 0.25f],
            PoolingStride = 2,
            ConvHalves = halves,
        };
        Fill(weights, seed);
        return weights;
    }

    /// <summary>Every tensor uniform in [−<paramref name="shift"/>, 1 − <paramref name="shift"/>) from <paramref name="seed"/>.</summary>
    public static void Fill(LstmWeights weights, int seed, double shift = 0.5)
    {
        var random = new Random(seed);
        foreach (var tensor in weights.Tensors())
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                tensor[i] = (float)(random.NextDouble() - shift);
            }
        }
    }

    /// <summary>The featurizer's output for each sequence, every option default unless given.</summary>
    public static float[][] Featurize(LstmModel model, float[][][] sequences, LstmFeaturizerOptions? options = null)
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Sequences(ml, sequences);
        using var transformer = ml.Transforms.LstmFeaturizeSequence(model, options).Fit(data);
        return TestData.Features(transformer.Transform(data));
    }

    /// <summary>Scaled by the weights' offset and scale (where they have them), then each window of <paramref name="stride"/> steps averaged (last window partial); the LSTM's stride unless given.</summary>
    public static float[][] ScaledAndPooled(LstmWeights weights, float[][] sequence, int? stride = null)
    {
        int features = sequence[0].Length, window = stride ?? weights.PoolingStride;
        var scaled = sequence.Select(step => step.Select((v, c) => weights.InputOffset is null ? v : (v - weights.InputOffset[c]) * weights.InputScale![c]).ToArray()).ToArray();
        return [.. scaled.Chunk(window).Select(steps => Enumerable.Range(0, features).Select(c => steps.Average(step => step[c])).ToArray())];
    }
}
