using System.Numerics;
using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// One LSTM layer in one direction, forward and backward through time (<see cref="LstmNetwork"/>
/// stacks them), with the activations its backward pass needs; its phases are timed into
/// <paramref name="profile"/> when there is one.
/// </summary>
internal sealed class LstmCell(LstmCellWeights weights, bool reverse, TrainingProfile? profile)
{
    private readonly int _hidden = weights.HiddenSize;
    private readonly int _inputs = weights.InputSize;
    private readonly float[] _weightIhT = new float[weights.WeightIh.Length];
    private readonly float[] _weightHhT = new float[weights.WeightHh.Length];
    private readonly float[] _bias = new float[4 * weights.HiddenSize];
    private readonly float[] _biasGrad = new float[4 * weights.HiddenSize];
    private readonly float[] _zeros = new float[weights.HiddenSize];
    private float[] _gates = [];
    private float[] _cells = [];
    private float[] _tanhCells = [];
    private float[] _states = [];
    private float[] _dGates = [];
    private float[] _dState = [];
    private float[] _dCell = [];

    /// <summary>
    /// One row's gate pre-activation gradients from dh and the carried dc (which it updates to
    /// dc·f for the previous step): i, f, g, o as PyTorch stacks them.
    /// </summary>
    private static void GateGradients(ReadOnlySpan<float> gate, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dGate, int h)
    {
        int j = 0;
        var one = Vector<float>.One;
        for (; j + Vector<float>.Count <= h; j += Vector<float>.Count)
        {
            var i = new Vector<float>(gate[j..]);
            var f = new Vector<float>(gate[(h + j)..]);
            var g = new Vector<float>(gate[(2 * h + j)..]);
            var o = new Vector<float>(gate[(3 * h + j)..]);
            var tc = new Vector<float>(tanhC[j..]);
            var dhj = new Vector<float>(dh[j..]);
            var dcj = new Vector<float>(dc[j..]) + dhj * o * (one - tc * tc);
            (dcj * g * i * (one - i)).CopyTo(dGate[j..]);
            (dcj * new Vector<float>(cPrevious[j..]) * f * (one - f)).CopyTo(dGate[(h + j)..]);
            (dcj * i * (one - g * g)).CopyTo(dGate[(2 * h + j)..]);
            (dhj * tc * o * (one - o)).CopyTo(dGate[(3 * h + j)..]);
            (dcj * f).CopyTo(dc[j..]);
        }
        for (; j < h; j++)
        {
            float i = gate[j], f = gate[h + j], g = gate[2 * h + j], o = gate[3 * h + j];
            float tc = tanhC[j];
            float dcj = dc[j] + dh[j] * o * (1 - tc * tc);
            dGate[j] = dcj * g * i * (1 - i);
            dGate[h + j] = dcj * cPrevious[j] * f * (1 - f);
            dGate[2 * h + j] = dcj * i * (1 - g * g);
            dGate[3 * h + j] = dh[j] * tc * o * (1 - o);
            dc[j] = dcj * f;
        }
    }

    public void Refresh()
    {
        Gemm.Transpose(weights.WeightIh, _weightIhT, 4 * _hidden, _inputs);
        Gemm.Transpose(weights.WeightHh, _weightHhT, 4 * _hidden, _hidden);
        TensorPrimitives.Add(weights.BiasIh, weights.BiasHh, _bias);
    }

    /// <summary>Reads x [T, N, I]; writes its hidden states into columns [offset, offset + H) of output [T, N, width].</summary>
    public void Forward(ReadOnlySpan<float> x, int steps, int rows, Span<float> output, int offset, int width)
    {
        int h = _hidden, g4 = 4 * h, block = rows * g4;
        EnsureLength(ref _gates, steps * block);
        EnsureLength(ref _cells, steps * rows * h);
        EnsureLength(ref _tanhCells, steps * rows * h);
        EnsureLength(ref _states, steps * rows * h);
        var gates = _gates.AsSpan(0, steps * block);
        long projection = profile?.Start() ?? 0;
        for (int r = 0; r < steps * rows; r++)
        {
            _bias.CopyTo(gates.Slice(r * g4, g4));
        }
        Gemm.Multiply(x, _weightIhT, gates, steps * rows, _inputs, g4);
        profile?.Stop(TrainingProfile.Phase.InputProjectionGemm, projection);

        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            int previous = reverse ? t + 1 : t - 1;
            var stepGates = gates.Slice(t * block, block);
            long recurrent = profile?.Start() ?? 0;
            if (s > 0)
            {
                Gemm.Multiply(_states.AsSpan(previous * rows * h, rows * h), _weightHhT, stepGates, rows, h, g4);
            }
            profile?.Stop(TrainingProfile.Phase.RecurrentGemm, recurrent);
            long elementwise = profile?.Start() ?? 0;
            for (int n = 0; n < rows; n++)
            {
                var row = stepGates.Slice(n * g4, g4);
                var i = row[..h];
                var f = row.Slice(h, h);
                var g = row.Slice(2 * h, h);
                var o = row.Slice(3 * h, h);
                TensorPrimitives.Sigmoid(row[..(2 * h)], row[..(2 * h)]);
                TensorPrimitives.Tanh(g, g);
                TensorPrimitives.Sigmoid(o, o);
                var c = _cells.AsSpan((t * rows + n) * h, h);
                TensorPrimitives.Multiply(i, g, c);
                if (s > 0)
                {
                    TensorPrimitives.FusedMultiplyAdd(f, _cells.AsSpan((previous * rows + n) * h, h), c, c);
                }
                var tanhC = _tanhCells.AsSpan((t * rows + n) * h, h);
                TensorPrimitives.Tanh(c, tanhC);
                var state = _states.AsSpan((t * rows + n) * h, h);
                TensorPrimitives.Multiply(o, tanhC, state);
                state.CopyTo(output.Slice((t * rows + n) * width + offset, h));
            }
            profile?.Stop(TrainingProfile.Phase.GatesForward, elementwise);
        }
    }

    /// <summary>
    /// Backpropagates dOutput (columns [offset, offset + H) of [T, N, width]) through time,
    /// adds the parameter gradients to <paramref name="gradients"/> and, when asked, dx into <paramref name="dx"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<float> x, int steps, int rows, ReadOnlySpan<float> dOutput, int offset, int width,
        LstmCellWeights gradients, Span<float> dx, bool computeInputGradient)
    {
        int h = _hidden, g4 = 4 * h, block = rows * g4;
        EnsureLength(ref _dGates, steps * block);
        EnsureLength(ref _dState, rows * h);
        EnsureLength(ref _dCell, rows * h);
        var dGates = _dGates.AsSpan(0, steps * block);
        var dState = _dState.AsSpan(0, rows * h);
        var dCell = _dCell.AsSpan(0, rows * h);
        dState.Clear();
        dCell.Clear();
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = reverse ? steps - 1 - s : s;
            int previous = reverse ? t + 1 : t - 1;
            long elementwise = profile?.Start() ?? 0;
            for (int n = 0; n < rows; n++)
            {
                var dh = dState.Slice(n * h, h);
                TensorPrimitives.Add(dh, dOutput.Slice((t * rows + n) * width + offset, h), dh);
                var gate = _gates.AsSpan(t * block + n * g4, g4);
                var dGate = dGates.Slice(t * block + n * g4, g4);
                var dc = dCell.Slice(n * h, h);
                var tanhC = _tanhCells.AsSpan((t * rows + n) * h, h);
                var cPrevious = s > 0 ? _cells.AsSpan((previous * rows + n) * h, h) : _zeros.AsSpan(0, h);
                GateGradients(gate, tanhC, cPrevious, dh, dc, dGate, h);
            }
            profile?.Stop(TrainingProfile.Phase.GatesBackward, elementwise);
            long recurrent = profile?.Start() ?? 0;
            dState.Clear();
            if (s > 0)
            {
                Gemm.Multiply(dGates.Slice(t * block, block), weights.WeightHh, dState, rows, g4, h);
            }
            profile?.Stop(TrainingProfile.Phase.RecurrentGemmBackward, recurrent);
        }

        // Weight gradients over all steps at once: every step's gate gradient meets its previous state.
        long weightGradients = profile?.Start() ?? 0;
        if (steps > 1)
        {
            int firstWithPrevious = reverse ? 0 : 1, firstPrevious = reverse ? 1 : 0;
            Gemm.MultiplyTransposedA(dGates.Slice(firstWithPrevious * block, (steps - 1) * block),
                _states.AsSpan(firstPrevious * rows * h, (steps - 1) * rows * h), gradients.WeightHh, g4, (steps - 1) * rows, h);
        }
        Gemm.MultiplyTransposedA(dGates, x, gradients.WeightIh, g4, steps * rows, _inputs);
        // Both biases enter the gates the same way, so their gradients are the same sum.
        var biasGrad = _biasGrad.AsSpan();
        biasGrad.Clear();
        for (int r = 0; r < steps * rows; r++)
        {
            TensorPrimitives.Add(biasGrad, dGates.Slice(r * g4, g4), biasGrad);
        }
        TensorPrimitives.Add(gradients.BiasIh, biasGrad, gradients.BiasIh);
        TensorPrimitives.Add(gradients.BiasHh, biasGrad, gradients.BiasHh);
        profile?.Stop(TrainingProfile.Phase.WeightGradientGemm, weightGradients);
        if (computeInputGradient)
        {
            long inputGradient = profile?.Start() ?? 0;
            Gemm.Multiply(dGates, weights.WeightIh, dx, steps * rows, g4, _inputs);
            profile?.Stop(TrainingProfile.Phase.InputGradientGemm, inputGradient);
        }
    }

    private static void EnsureLength(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
