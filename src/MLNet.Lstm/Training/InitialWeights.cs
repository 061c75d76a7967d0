using System.Numerics.Tensors;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm.Training;

/// <summary>
/// The weights training starts from, and the ones <see cref="LstmModel.CreateRandom"/> builds:
/// PyTorch's default initialisation drawn from a seed, or a pretrained model's weights with a
/// head drawn anew when its own does not fit the objective.
/// </summary>
internal static class InitialWeights
{
    /// <summary>PyTorch's default initialisation of a new LSTM with a head on its last step (<see cref="LstmModel.CreateRandom"/>).</summary>
    public static LstmWeights Draw(int inputSize, int hiddenSize, int numLayers, int outputSize, bool bidirectional, int seed)
    {
        var weights = new LstmWeights(inputSize, hiddenSize, numLayers, outputSize, bidirectional);
        Fill(weights, seed);
        return weights;
    }

    /// <summary>
    /// A fresh LSTM of <paramref name="members"/> members for the objective, with a forget-gate
    /// bias and the preprocessing learned from the rows (standardization, pooling stride).
    /// </summary>
    public static LstmWeights Fresh(LstmTrainingOptions training, TrainingObjective objective, TrainingSet set, int members, int poolingStride,
        int convPoolingStride, bool convHalves, int[] convChannels, int[] convKernelSizes)
    {
        int outputSize = set.OutputSize;
        var (offset, scale) = training.Standardize ? set.Standardization() : default((float[]?, float[]?));
        var weights = new LstmWeights(set.InputSize, training.HiddenSize, training.NumLayers, checked(members * outputSize), training.Bidirectional, convChannels, convKernelSizes)
        {
            HeadInput = objective.HeadInput(training),
            InputOffset = offset,
            InputScale = scale,
            PoolingStride = poolingStride,
            ConvPoolingStride = convPoolingStride,
            ConvHalves = convHalves,
        };
        Fill(weights, training.Seed);
        if (members > 1)
        {
            // Fill bounds by ±1/√H; each member is an LSTM of H/K units: ±1/√(H/K).
            foreach (var tensor in weights.Tensors().Take(4 * weights.NumLayers * weights.NumDirections))
            {
                TensorPrimitives.Multiply(tensor, MathF.Sqrt(members), tensor);
            }
        }
        DrawConvWeights(weights, training.Seed);
        if (outputSize > 0)
        {
            DrawHeadWeight(weights, training.Seed, members);
        }
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            for (int d = 0; d < weights.NumDirections; d++)
            {
                // PyTorch stacks the gates i, f, g, o: the forget gate's bias is the second block.
                var bias = weights.GetCell(layer, d).BiasIh.AsSpan(weights.HiddenSize, weights.HiddenSize);
                TensorPrimitives.Add(bias, training.ForgetGateBias, bias);
            }
        }
        return weights;
    }

    /// <summary>
    /// The stride that brings the rows' median length down to <paramref name="maxSteps"/> steps at most
    /// (<see cref="LstmTrainingOptions.MaxSteps"/> for the LSTM, <see cref="LstmTrainingOptions.ConvMaxSteps"/> for the branch); 1 for null.
    /// </summary>
    public static int PoolingStride(int? maxSteps, TrainingSet set) =>
        maxSteps is int most ? (int)Math.Clamp((set.MedianSteps() + (long)most - 1) / most, 1, LstmDefaults.MaxPoolingStride) : 1;

    /// <summary>
    /// A pretrained LSTM and its preprocessing, with its own head (<paramref name="withHead"/>, when
    /// it has the objective's size and reads what the objective trains it on) or a head drawn anew.
    /// </summary>
    public static LstmWeights FineTuned(LstmWeights lstm, LstmWeights? withHead, LstmTrainingOptions training, TrainingObjective objective, TrainingSet set)
    {
        int outputSize = set.OutputSize;
        var kept = withHead is { } head && objective.TrainsHeadReading(head.HeadInput, training) ? head : null;
        bool keepHead = kept is not null;
        var pretrained = kept ?? lstm;
        var fresh = new LstmWeights(set.InputSize, pretrained.HiddenSize, pretrained.NumLayers, outputSize, pretrained.Bidirectional,
            pretrained.ConvChannels, pretrained.ConvKernelSizes)
        {
            HeadInput = keepHead ? pretrained.HeadInput : objective.HeadInput(training),
            InputOffset = pretrained.InputOffset,
            InputScale = pretrained.InputScale,
            PoolingStride = pretrained.PoolingStride,
            ConvPoolingStride = pretrained.ConvPoolingStride,
            ConvHalves = pretrained.ConvHalves,
        };
        Fill(fresh, training.Seed);
        if (!keepHead && outputSize > 0)
        {
            DrawHeadWeight(fresh, training.Seed, members: 1);
        }
        // Tensors come LSTM first, head last: a pretrained set without a head keeps the fresh head.
        foreach (var (from, to) in pretrained.Tensors().Zip(fresh.Tensors()))
        {
            from.CopyTo(to, 0);
        }
        return fresh;
    }

    /// <summary>
    /// The head's weight for the input training gives it, from a stream of its own: PyTorch's
    /// nn.Linear bound for the width one member's head reads (its LSTM units and the shared convolutional branch).
    /// </summary>
    private static void DrawHeadWeight(LstmWeights weights, int seed, int members) =>
        new SplitMix64(seed ^ 0x5EED).FillUniform(weights.HeadWeight,
            1f / MathF.Sqrt((weights.HeadInputWidth - weights.ConvFeatureSize) / members + weights.ConvFeatureSize));

    /// <summary>
    /// The convolutional layers from a stream of their own (so the LSTM's draws stay as they were):
    /// He's uniform bound √(6 / fan-in) for ReLU layers without normalisation, which keeps the
    /// activations' scale from layer to layer; biases start at 0.
    /// </summary>
    private static void DrawConvWeights(LstmWeights weights, int seed)
    {
        var random = new SplitMix64(seed ^ 0xC0DE);
        for (int i = 0; i < weights.ConvLayerCount; i++)
        {
            var layer = weights.GetConvLayer(i);
            random.FillUniform(layer.Weight, MathF.Sqrt(6f / (layer.InputChannels * layer.KernelSize)));
        }
    }

    /// <summary>
    /// PyTorch's default initialisation: every LSTM parameter uniform in ±1/√H, then the head's
    /// nn.Linear(D·H, outputs) in ±1/√(D·H), drawn in <see cref="LstmWeights.Tensors"/> order from
    /// one <see cref="SplitMix64"/>. A head reading more than the last step (training draws its
    /// weight anew) skips the D·H-wide weight's draws, so a seed gives its bias the same values.
    /// </summary>
    private static void Fill(LstmWeights weights, int seed)
    {
        var random = new SplitMix64(seed);
        float bound = 1f / MathF.Sqrt(weights.HiddenSize);
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            for (int d = 0; d < weights.NumDirections; d++)
            {
                var cell = weights.GetCell(layer, d);
                random.FillUniform(cell.WeightIh, bound);
                random.FillUniform(cell.WeightHh, bound);
                random.FillUniform(cell.BiasIh, bound);
                random.FillUniform(cell.BiasHh, bound);
            }
        }
        if (weights.OutputSize > 0)
        {
            int lastStep = weights.NumDirections * weights.HiddenSize;
            float headBound = 1f / MathF.Sqrt(lastStep);
            if (weights.HeadInputWidth == lastStep)
            {
                random.FillUniform(weights.HeadWeight, headBound);
            }
            else
            {
                random.Skip((long)weights.OutputSize * lastStep);
            }
            random.FillUniform(weights.HeadBias, headBound);
        }
    }
}
