namespace MLNet.Lstm.Onnx;

/// <summary>
/// Moves one layer's parameters between PyTorch's layout and the ONNX LSTM operator's.
/// PyTorch stacks the gates i, f, g, o per direction in four tensors; ONNX stacks them
/// i, o, f, c in W [D, 4H, I], R [D, 4H, H] and B [D, 8H] (input biases, then recurrent ones).
/// </summary>
internal static class OnnxLstmWeightLayout
{
    // ONNX gate block k holds PyTorch gate block GateOrder[k].
    private static ReadOnlySpan<int> GateOrder => [0, 3, 1, 2];

    public static (float[] W, float[] R, float[] B) ToOnnx(LstmWeights weights, int layer)
    {
        int hidden = weights.HiddenSize;
        int directions = weights.NumDirections;
        int layerInput = weights.GetCell(layer, 0).InputSize;
        var w = new float[directions * 4 * hidden * layerInput];
        var r = new float[directions * 4 * hidden * hidden];
        var b = new float[directions * 8 * hidden];
        for (int d = 0; d < directions; d++)
        {
            var cell = weights.GetCell(layer, d);
            for (int gate = 0; gate < 4; gate++)
            {
                int from = GateOrder[gate];
                cell.WeightIh.AsSpan(from * hidden * layerInput, hidden * layerInput).CopyTo(w.AsSpan((d * 4 + gate) * hidden * layerInput));
                cell.WeightHh.AsSpan(from * hidden * hidden, hidden * hidden).CopyTo(r.AsSpan((d * 4 + gate) * hidden * hidden));
                cell.BiasIh.AsSpan(from * hidden, hidden).CopyTo(b.AsSpan((d * 8 + gate) * hidden));
                cell.BiasHh.AsSpan(from * hidden, hidden).CopyTo(b.AsSpan((d * 8 + 4 + gate) * hidden));
            }
        }
        return (w, r, b);
    }

    /// <summary>Writes an ONNX W/R/B triple into <paramref name="weights"/>; a missing B means zero biases, as in ONNX.</summary>
    public static void FromOnnx(float[] w, float[] r, float[]? b, LstmWeights weights, int layer)
    {
        int hidden = weights.HiddenSize;
        for (int d = 0; d < weights.NumDirections; d++)
        {
            var cell = weights.GetCell(layer, d);
            int layerInput = cell.InputSize;
            for (int gate = 0; gate < 4; gate++)
            {
                int to = GateOrder[gate];
                w.AsSpan((d * 4 + gate) * hidden * layerInput, hidden * layerInput).CopyTo(cell.WeightIh.AsSpan(to * hidden * layerInput));
                r.AsSpan((d * 4 + gate) * hidden * hidden, hidden * hidden).CopyTo(cell.WeightHh.AsSpan(to * hidden * hidden));
                if (b is not null)
                {
                    b.AsSpan((d * 8 + gate) * hidden, hidden).CopyTo(cell.BiasIh.AsSpan(to * hidden));
                    b.AsSpan((d * 8 + 4 + gate) * hidden, hidden).CopyTo(cell.BiasHh.AsSpan(to * hidden));
                }
            }
        }
    }
}
