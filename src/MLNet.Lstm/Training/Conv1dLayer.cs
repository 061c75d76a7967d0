using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// nn.Conv1d(padding='same') + ReLU on rows of [T, C] (row-major per sequence, channels last),
/// forward and backward, as matrix products: the input is unfolded (im2col) into
/// [N·T, K·C_in] windows, so the forward pass is one <see cref="Gemm"/> by the kernel as
/// [K·C_in, C_out], the weight gradient one by the windows transposed, and the input gradient
/// one by the kernel folded back (col2im).
/// </summary>
internal sealed class Conv1dLayer(LstmConvLayerWeights weights)
{
    private readonly int _in = weights.InputChannels;
    private readonly int _out = weights.OutputChannels;
    private readonly int _kernel = weights.KernelSize;
    private readonly int _padBefore = weights.PadBefore;
    private readonly float[] _byTap = new float[weights.Weight.Length];
    private readonly float[] _byTapTransposed = new float[weights.Weight.Length];
    private readonly float[] _tapGradient = new float[weights.Weight.Length];
    private float[] _windows = [];
    private float[] _windowGradients = [];

    private int Window => _kernel * _in;

    /// <summary>Re-reads the kernel [C_out, C_in, K] as [C_out, K·C_in] and its transpose; call after every update.</summary>
    public void Refresh()
    {
        var w = weights.Weight;
        for (int o = 0; o < _out; o++)
        {
            for (int c = 0; c < _in; c++)
            {
                for (int k = 0; k < _kernel; k++)
                {
                    _byTap[o * Window + k * _in + c] = w[(o * _in + c) * _kernel + k];
                }
            }
        }
        Gemm.Transpose(_byTap, _byTapTransposed, _out, Window);
    }

    /// <summary>y = ReLU(conv(x) + bias) for x [N, T, C_in] into y [N, T, C_out]; keeps the windows for <see cref="Backward"/>.</summary>
    public void Forward(ReadOnlySpan<float> x, int rows, int steps, Span<float> y)
    {
        int positions = checked(rows * steps);
        if (_windows.Length < positions * Window)
        {
            _windows = new float[checked(positions * Window)];
        }
        var windows = _windows.AsSpan(0, positions * Window);
        Unfold(x, rows, steps, windows);
        for (int p = 0; p < positions; p++)
        {
            weights.Bias.CopyTo(y.Slice(p * _out, _out));
        }
        Gemm.Multiply(windows, _byTapTransposed, y, positions, Window, _out);
        TensorPrimitives.Max(y, 0f, y);
    }

    /// <summary>
    /// From dy (the gradient of the ReLU's output y, overwritten with the pre-activation's), adds the
    /// kernel's and bias's gradients into <paramref name="gradients"/> and, unless it is empty,
    /// writes the input's gradient into <paramref name="dx"/>.
    /// </summary>
    public void Backward(Span<float> dy, ReadOnlySpan<float> y, int rows, int steps, LstmConvLayerWeights gradients, Span<float> dx)
    {
        int positions = rows * steps;
        for (int i = 0; i < dy.Length; i++)
        {
            if (y[i] <= 0f)
            {
                dy[i] = 0f;
            }
        }
        var windows = _windows.AsSpan(0, positions * Window);
        Array.Clear(_tapGradient);
        Gemm.MultiplyTransposedA(windows, dy, _tapGradient, Window, positions, _out);
        var dw = gradients.Weight;
        for (int o = 0; o < _out; o++)
        {
            for (int c = 0; c < _in; c++)
            {
                for (int k = 0; k < _kernel; k++)
                {
                    dw[(o * _in + c) * _kernel + k] += _tapGradient[(k * _in + c) * _out + o];
                }
            }
        }
        for (int p = 0; p < positions; p++)
        {
            TensorPrimitives.Add(gradients.Bias, dy.Slice(p * _out, _out), gradients.Bias);
        }
        if (dx.IsEmpty)
        {
            return;
        }
        if (_windowGradients.Length < windows.Length)
        {
            _windowGradients = new float[windows.Length];
        }
        var dWindows = _windowGradients.AsSpan(0, windows.Length);
        dWindows.Clear();
        Gemm.Multiply(dy, _byTap, dWindows, positions, _out, Window);
        Fold(dWindows, rows, steps, dx);
    }

    /// <summary>Window [n·T + t] holds x[n, t + k − padBefore, c] at k·C_in + c; zero where that step is outside the sequence.</summary>
    private void Unfold(ReadOnlySpan<float> x, int rows, int steps, Span<float> windows)
    {
        for (int n = 0; n < rows; n++)
        {
            var sequence = x.Slice(n * steps * _in, steps * _in);
            for (int t = 0; t < steps; t++)
            {
                var window = windows.Slice((n * steps + t) * Window, Window);
                int first = t - _padBefore;
                int from = Math.Max(0, -first), to = Math.Min(_kernel, steps - first);
                window[..(from * _in)].Clear();
                if (to > from)
                {
                    sequence.Slice((first + from) * _in, (to - from) * _in).CopyTo(window.Slice(from * _in));
                    window[(to * _in)..].Clear();
                }
                else
                {
                    window.Clear();
                }
            }
        }
    }

    /// <summary>The transpose of <see cref="Unfold"/>: every window's gradient added back onto the steps it read.</summary>
    private void Fold(ReadOnlySpan<float> dWindows, int rows, int steps, Span<float> dx)
    {
        dx.Clear();
        for (int n = 0; n < rows; n++)
        {
            var sequence = dx.Slice(n * steps * _in, steps * _in);
            for (int t = 0; t < steps; t++)
            {
                var window = dWindows.Slice((n * steps + t) * Window, Window);
                int first = t - _padBefore;
                int from = Math.Max(0, -first), to = Math.Min(_kernel, steps - first);
                if (to > from)
                {
                    var target = sequence.Slice((first + from) * _in, (to - from) * _in);
                    TensorPrimitives.Add(target, window.Slice(from * _in, (to - from) * _in), target);
                }
            }
        }
    }
}
