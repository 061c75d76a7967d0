namespace MLNet.Lstm.Training;

/// <summary>
/// PyTorch's nn.LSTM forward and backward through time on a batch of sequences of one length;
/// the head's loss and gradient come from the objective (<see cref="Objectives.TrainingObjective"/>).
/// Parameters and gradients are <see cref="LstmWeights"/> in PyTorch's layout (gates i, f, g, o),
/// so what trains here exports unchanged to the ONNX graph. A convolutional branch, when the
/// weights have one, reads the same input beside the LSTM and feeds the head (<see cref="ConvBranch"/>).
/// Activations are time-major [T, N, ·];
/// matrix products go through <see cref="Gemm"/>, element-wise work through TensorPrimitives.
/// </summary>
internal sealed class LstmNetwork
{
    private readonly LstmWeights _weights;
    private readonly Objectives.TrainingObjective _objective;
    private readonly HeadState _head;
    private readonly int _hidden;
    private readonly int _directions;
    private readonly LstmCell[] _cells;
    private readonly ConvBranch? _conv;
    private readonly TrainingProfile? _profile;
    private float[][] _layerOutputs = [];
    private float[][] _layerOutputGrads = [];

    public LstmNetwork(LstmWeights weights, Objectives.TrainingObjective objective, float dropout = 0f, int members = 1, TrainingProfile? profile = null)
    {
        _profile = profile;
        _weights = weights;
        _objective = objective;
        _hidden = weights.HiddenSize;
        _directions = weights.NumDirections;
        _conv = weights.ConvLayerCount > 0 ? new ConvBranch(weights) : null;
        _head = new HeadState(weights, new HeadInputPooling(weights.HeadInput, _hidden, _directions, _conv), dropout, members);
        _cells = new LstmCell[weights.NumLayers * _directions];
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            for (int d = 0; d < _directions; d++)
            {
                _cells[layer * _directions + d] = new LstmCell(weights.GetCell(layer, d), d == 1, profile);
            }
        }
        ParametersChanged();
    }

    /// <summary>Refreshes the transposed weight copies the forward pass multiplies by; call after every update.</summary>
    public void ParametersChanged()
    {
        foreach (var cell in _cells)
        {
            cell.Refresh();
        }
        _conv?.Refresh();
        _head.Linear.Refresh();
    }

    /// <summary>The batch's mean loss, without gradients (and without dropout).</summary>
    public double Loss(TrainingBatch batch) => Run(batch, gradients: null);

    /// <summary>The batch's mean loss; adds d(loss)/d(parameter) × <paramref name="scale"/> into <paramref name="gradients"/>.</summary>
    public double LossAndGradients(TrainingBatch batch, LstmWeights gradients, float scale = 1f) => Run(batch, gradients, scale);

    private double Run(TrainingBatch batch, LstmWeights? gradients, float scale = 1f)
    {
        int steps = batch.Steps, rows = batch.Count;
        int width = _directions * _hidden;
        EnsureLayerBuffers(steps * rows * width);
        var input = batch.Inputs.AsSpan(0, steps * rows * _weights.InputSize);
        for (int layer = 0; layer < _weights.NumLayers; layer++)
        {
            ReadOnlySpan<float> x = layer == 0 ? input : _layerOutputs[layer - 1].AsSpan(0, steps * rows * width);
            for (int d = 0; d < _directions; d++)
            {
                _cells[layer * _directions + d].Forward(x, steps, rows, _layerOutputs[layer], d * _hidden, width);
            }
        }

        var top = _layerOutputs[^1].AsSpan(0, steps * rows * width);
        var dTop = _layerOutputGrads[^1].AsSpan(0, steps * rows * width);
        if (gradients is not null)
        {
            dTop.Clear();
        }
        long head = _profile?.Start() ?? 0;
        if (batch.ConvSteps > 0)
        {
            _conv?.ForwardBatchMajor(batch.ConvInputs.AsSpan(0, rows * batch.ConvSteps * _weights.InputSize), batch.ConvSteps, rows);
        }
        else
        {
            _conv?.Forward(input, steps, rows);
        }
        double loss = _objective.Loss(batch, top, _head, gradients, dTop, scale);
        _profile?.Stop(TrainingProfile.Phase.Head, head);
        if (gradients is null)
        {
            return loss;
        }
        _conv?.Backward(gradients);

        for (int layer = _weights.NumLayers - 1; layer >= 0; layer--)
        {
            ReadOnlySpan<float> x = layer == 0 ? input : _layerOutputs[layer - 1].AsSpan(0, steps * rows * width);
            Span<float> dx = layer == 0 ? default : _layerOutputGrads[layer - 1].AsSpan(0, steps * rows * width);
            dx.Clear();
            for (int d = 0; d < _directions; d++)
            {
                _cells[layer * _directions + d].Backward(x, steps, rows, _layerOutputGrads[layer], d * _hidden, width,
                    gradients.GetCell(layer, d), dx, computeInputGradient: layer > 0);
            }
        }
        return loss;
    }

    private void EnsureLayerBuffers(int length)
    {
        if (_layerOutputs.Length == 0 || _layerOutputs[0].Length < length)
        {
            _layerOutputs = [.. Enumerable.Range(0, _weights.NumLayers).Select(_ => new float[length])];
            _layerOutputGrads = [.. Enumerable.Range(0, _weights.NumLayers).Select(_ => new float[length])];
        }
    }
}
