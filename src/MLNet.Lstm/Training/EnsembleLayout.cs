using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// K LSTMs of H units trained as one LSTM of K·H units: a unit of member m only reads the
/// recurrent state (and, above layer 0, the layer input) of member m, and member m's head
/// (outputs [m·C, (m+1)·C)) only reads member m's units and the convolutional branch, which the
/// members share. Masking the weights and their
/// gradients keeps the members apart for the whole training; the exported head averages them.
/// </summary>
internal sealed class EnsembleLayout
{
    private readonly int _members;
    private readonly float[]?[] _masks;

    /// <param name="weights">The shapes: K·H hidden units, and K·C head outputs.</param>
    /// <param name="members">K.</param>
    public EnsembleLayout(LstmWeights weights, int members)
    {
        _members = members;
        int width = weights.HiddenSize, hidden = width / members;
        var masks = new List<float[]?>();
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            for (int d = 0; d < weights.NumDirections; d++)
            {
                var cell = weights.GetCell(layer, d);
                masks.Add(members > 1 && layer > 0 ? Mask(4 * width, cell.InputSize, r => r % width / hidden, c => c % width / hidden) : null);
                masks.Add(members > 1 ? Mask(4 * width, width, r => r % width / hidden, c => c / hidden) : null);
                masks.Add(null);
                masks.Add(null);
            }
        }
        for (int i = 0; i < weights.ConvLayerCount; i++)
        {
            masks.Add(null);
            masks.Add(null);
        }
        if (weights.OutputSize > 0)
        {
            // Every member's head reads the convolutional branch, which the members share.
            int outputs = weights.OutputSize / members, lstmInputs = weights.HeadInputWidth - weights.ConvFeatureSize;
            masks.Add(members > 1 ? Mask(weights.OutputSize, weights.HeadInputWidth, r => r / outputs, c => c < lstmInputs ? c % width / hidden : Shared) : null);
            masks.Add(null);
        }
        _masks = [.. masks];
    }

    /// <summary>Zeroes every entry that would connect two members: in the weights once, in the gradients every step.</summary>
    public void Mask(LstmWeights weights)
    {
        int t = 0;
        foreach (var tensor in weights.Tensors())
        {
            if (_masks[t++] is { } mask)
            {
                TensorPrimitives.Multiply(tensor, mask, tensor);
            }
        }
    }

    /// <summary>The model to export: the same LSTM, and one head whose outputs are the mean of the members' heads.</summary>
    public LstmWeights Averaged(LstmWeights trained)
    {
        if (_members == 1 || trained.OutputSize == 0)
        {
            return trained;
        }
        int outputs = trained.OutputSize / _members, inputs = trained.HeadInputWidth;
        var averaged = new LstmWeights(trained.InputSize, trained.HiddenSize, trained.NumLayers, outputs, trained.Bidirectional, trained.ConvChannels, trained.ConvKernelSizes)
        {
            HeadInput = trained.HeadInput,
            InputOffset = trained.InputOffset,
            InputScale = trained.InputScale,
            PoolingStride = trained.PoolingStride,
            ConvPoolingStride = trained.ConvPoolingStride,
            ConvHalves = trained.ConvHalves,
        };
        foreach (var (from, to) in trained.Tensors().Zip(averaged.Tensors()).Take(4 * trained.NumLayers * trained.NumDirections + 2 * trained.ConvLayerCount))
        {
            from.CopyTo(to, 0);
        }
        for (int m = 0; m < _members; m++)
        {
            for (int o = 0; o < outputs; o++)
            {
                var sum = averaged.HeadWeight.AsSpan(o * inputs, inputs);
                TensorPrimitives.MultiplyAdd(trained.HeadWeight.AsSpan((m * outputs + o) * inputs, inputs), 1f / _members, sum, sum);
                averaged.HeadBias![o] += trained.HeadBias![m * outputs + o] / _members;
            }
        }
        return averaged;
    }

    /// <summary>What a column-member function returns for a column every member reads (the shared branch).</summary>
    private const int Shared = -1;

    private static float[] Mask(int rows, int columns, Func<int, int> rowMember, Func<int, int> columnMember)
    {
        var mask = new float[checked(rows * columns)];
        for (int r = 0; r < rows; r++)
        {
            int member = rowMember(r);
            for (int c = 0; c < columns; c++)
            {
                int owner = columnMember(c);
                mask[r * columns + c] = owner == member || owner == Shared ? 1f : 0f;
            }
        }
        return mask;
    }
}
