using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// What a head reads from the top layer's output [T, N, D·H] (<see cref="LstmHeadInput"/>), and
/// the way back: the last step, or the final state, mean and max over time side by side, then
/// the convolutional branch's features when there is one, the same numbers as the ONNX graph's
/// head input. The final state of the backward direction is its output at step 0, as ONNX's Y_h
/// holds it.
/// </summary>
internal sealed class HeadInputPooling(LstmHeadInput input, int hidden, int directions, ConvBranch? conv = null)
{
    private readonly int _width = directions * hidden;
    private readonly int _lstmSize = input == LstmHeadInput.LastMeanMax ? 3 * directions * hidden : directions * hidden;
    private float[] _pooled = [];
    private int[] _argmax = [];

    /// <summary>Values per row of the head's input.</summary>
    public int Size => _lstmSize + (conv?.FeatureSize ?? 0);

    /// <summary>The head's input [rows, <see cref="Size"/>], valid until the next call; the convolutional branch has run on the batch.</summary>
    public Span<float> Forward(ReadOnlySpan<float> top, int steps, int rows)
    {
        int w = _width, size = Size;
        if (_pooled.Length < rows * size)
        {
            _pooled = new float[rows * size];
            _argmax = new int[rows * w];
        }
        var pooled = _pooled.AsSpan(0, rows * size);
        if (input == LstmHeadInput.LastStep && conv is null)
        {
            top.Slice((steps - 1) * rows * w, rows * w).CopyTo(pooled);
            return pooled;
        }
        var features = conv is null ? default : conv.Features;
        int c = conv?.FeatureSize ?? 0;
        for (int n = 0; n < rows; n++)
        {
            var row = pooled.Slice(n * size, size);
            if (input == LstmHeadInput.LastStep)
            {
                top.Slice(((steps - 1) * rows + n) * w, w).CopyTo(row);
            }
            else
            {
                LastMeanMax(top, steps, rows, n, row);
            }
            features.Slice(n * c, c).CopyTo(row[_lstmSize..]);
        }
        return pooled;
    }

    private void LastMeanMax(ReadOnlySpan<float> top, int steps, int rows, int n, Span<float> row)
    {
        int w = _width;
        float inverseSteps = 1f / steps;
        var last = row[..w];
        var mean = row.Slice(w, w);
        var max = row.Slice(2 * w, w);
        var argmax = _argmax.AsSpan(n * w, w);
        for (int d = 0; d < directions; d++)
        {
            int t = d == 0 ? steps - 1 : 0;
            top.Slice((t * rows + n) * w + d * hidden, hidden).CopyTo(last.Slice(d * hidden, hidden));
        }
        top.Slice(n * w, w).CopyTo(mean);
        top.Slice(n * w, w).CopyTo(max);
        argmax.Clear();
        for (int t = 1; t < steps; t++)
        {
            var state = top.Slice((t * rows + n) * w, w);
            TensorPrimitives.Add(mean, state, mean);
            for (int j = 0; j < w; j++)
            {
                if (state[j] > max[j])
                {
                    max[j] = state[j];
                    argmax[j] = t;
                }
            }
        }
        TensorPrimitives.Multiply(mean, inverseSteps, mean);
    }

    /// <summary>
    /// Adds d(loss)/d(top output) into <paramref name="dTop"/> from d(loss)/d(head input), and
    /// writes the convolutional branch's share into its <see cref="ConvBranch.FeatureGradients"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dPooled, int steps, int rows, Span<float> dTop)
    {
        int w = _width, size = Size;
        if (input == LstmHeadInput.LastStep && conv is null)
        {
            var dLast = dTop.Slice((steps - 1) * rows * w, rows * w);
            TensorPrimitives.Add(dLast, dPooled[..(rows * w)], dLast);
            return;
        }
        var dFeatures = conv is null ? default : conv.FeatureGradients;
        int c = conv?.FeatureSize ?? 0;
        float inverseSteps = 1f / steps;
        for (int n = 0; n < rows; n++)
        {
            var row = dPooled.Slice(n * size, size);
            row.Slice(_lstmSize, c).CopyTo(dFeatures.Slice(n * c, c));
            if (input == LstmHeadInput.LastStep)
            {
                var dLast = dTop.Slice(((steps - 1) * rows + n) * w, w);
                TensorPrimitives.Add(dLast, row[..w], dLast);
                continue;
            }
            var dMean = row.Slice(w, w);
            for (int t = 0; t < steps; t++)
            {
                var dState = dTop.Slice((t * rows + n) * w, w);
                TensorPrimitives.MultiplyAdd(dMean, inverseSteps, dState, dState);
            }
            for (int d = 0; d < directions; d++)
            {
                int t = d == 0 ? steps - 1 : 0;
                var dState = dTop.Slice((t * rows + n) * w + d * hidden, hidden);
                TensorPrimitives.Add(dState, row.Slice(d * hidden, hidden), dState);
            }
            var dMax = row.Slice(2 * w, w);
            var argmax = _argmax.AsSpan(n * w, w);
            for (int j = 0; j < w; j++)
            {
                dTop[(argmax[j] * rows + n) * w + j] += dMax[j];
            }
        }
    }
}
