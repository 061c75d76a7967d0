namespace MLNet.Lstm.Training;

/// <summary>
/// The head nn.Linear(in, out) on rows of its input: forward, and the way back into the
/// parameter gradients and the input's gradient. Weights are PyTorch's [out, in].
/// </summary>
internal sealed class LinearHead(LstmWeights weights)
{
    private readonly float[] _weightT = new float[weights.HeadWeight?.Length ?? 0];
    private float[] _output = [];

    public int Outputs => weights.OutputSize;

    public int Inputs => weights.HeadInputWidth;

    /// <summary>Refreshes the transposed weight copy the forward pass multiplies by; call after every update.</summary>
    public void Refresh()
    {
        if (weights.HeadWeight is { } head)
        {
            Gemm.Transpose(head, _weightT, Outputs, Inputs);
        }
    }

    /// <summary>bias + x · Wᵀ for x [rows, Inputs]; the result [rows, Outputs] is valid until the next call.</summary>
    public Span<float> Forward(ReadOnlySpan<float> x, int rows)
    {
        int outputs = Outputs;
        if (_output.Length < rows * outputs)
        {
            _output = new float[rows * outputs];
        }
        var y = _output.AsSpan(0, rows * outputs);
        for (int n = 0; n < rows; n++)
        {
            weights.HeadBias.CopyTo(y.Slice(n * outputs, outputs));
        }
        Gemm.Multiply(x, _weightT, y, rows, Inputs, outputs);
        return y;
    }

    /// <summary>Adds dW and db for dy [rows, Outputs] into <paramref name="gradients"/>, and dx = dy · W into <paramref name="dx"/>.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int rows, LstmWeights gradients, Span<float> dx)
    {
        int outputs = Outputs;
        Gemm.MultiplyTransposedA(dy, x, gradients.HeadWeight, outputs, rows, Inputs);
        for (int n = 0; n < rows; n++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(gradients.HeadBias, dy.Slice(n * outputs, outputs), gradients.HeadBias);
        }
        Gemm.Multiply(dy, weights.HeadWeight, dx, rows, outputs, Inputs);
    }
}
