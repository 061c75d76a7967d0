using System.Numerics.Tensors;

namespace MLNet.Lstm.Training;

/// <summary>
/// The convolutional branch beside the LSTM (<see cref="LstmWeights.GetConvLayer"/>): it reads
/// the batch the LSTM reads, runs its <see cref="Conv1dLayer"/>s, and averages the last layer's
/// output over time into <see cref="FeatureSize"/> values per row, the same numbers as the ONNX
/// graph's GlobalAveragePool. The head's pooling copies them after the LSTM's values, and hands
/// their gradient back through <see cref="FeatureGradients"/>.
/// </summary>
internal sealed class ConvBranch
{
    private readonly LstmWeights _weights;
    private readonly Conv1dLayer[] _layers;
    private float[] _input = [];
    private float[][] _outputs;
    private float[][] _outputGradients;
    private float[] _features = [];
    private float[] _featureGradients = [];
    private int _rows;
    private int _steps;

    public ConvBranch(LstmWeights weights)
    {
        _weights = weights;
        _layers = new Conv1dLayer[weights.ConvLayerCount];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new Conv1dLayer(weights.GetConvLayer(i));
        }
        _outputs = new float[_layers.Length][];
        _outputGradients = new float[_layers.Length][];
        Array.Fill(_outputs, []);
        Array.Fill(_outputGradients, []);
    }

    /// <summary>Values per row: the last layer's channels.</summary>
    public int FeatureSize => _weights.ConvFeatureSize;

    public void Refresh()
    {
        foreach (var layer in _layers)
        {
            layer.Refresh();
        }
    }

    /// <summary>Runs the branch on the time-major batch [T, N, F]; its <see cref="Features"/> are then valid until the next call.</summary>
    public void Forward(ReadOnlySpan<float> timeMajor, int steps, int rows)
    {
        int f = _weights.InputSize;
        var input = Buffer(ref _input, checked(rows * steps * f));
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < rows; n++)
            {
                timeMajor.Slice((t * rows + n) * f, f).CopyTo(input.Slice((n * steps + t) * f, f));
            }
        }
        ForwardBatchMajor(input, steps, rows);
    }

    /// <summary>Runs the branch on the batch-major batch [N, T, F] (its own steps, <see cref="TrainingBatch.ConvInputs"/>); as <see cref="Forward"/>.</summary>
    public void ForwardBatchMajor(ReadOnlySpan<float> input, int steps, int rows)
    {
        _rows = rows;
        _steps = steps;
        ReadOnlySpan<float> x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            var y = Buffer(ref _outputs[i], checked(rows * steps * _weights.GetConvLayer(i).OutputChannels));
            _layers[i].Forward(x, rows, steps, y);
            x = y;
        }
        int c = _weights.GetConvLayer(_layers.Length - 1).OutputChannels, width = FeatureSize;
        var features = Buffer(ref _features, rows * width);
        features.Clear();
        for (int n = 0; n < rows; n++)
        {
            for (int s = 0; s < width / c; s++)
            {
                var (first, end) = Segment(s, steps);
                var row = features.Slice(n * width + s * c, c);
                for (int t = first; t < end; t++)
                {
                    TensorPrimitives.Add(row, x.Slice((n * steps + t) * c, c), row);
                }
                TensorPrimitives.Multiply(row, 1f / (end - first), row);
            }
        }
        Buffer(ref _featureGradients, rows * width);
    }

    /// <summary>The last <see cref="Forward"/>'s features, [N, <see cref="FeatureSize"/>].</summary>
    public ReadOnlySpan<float> Features => _features.AsSpan(0, _rows * FeatureSize);

    /// <summary>Where the head's pooling writes d(loss)/d(<see cref="Features"/>), every value, before <see cref="Backward"/>.</summary>
    public Span<float> FeatureGradients => _featureGradients.AsSpan(0, _rows * FeatureSize);

    /// <summary>Adds every layer's parameter gradients for <see cref="FeatureGradients"/> into <paramref name="gradients"/>.</summary>
    public void Backward(LstmWeights gradients)
    {
        int rows = _rows, steps = _steps, c = _weights.GetConvLayer(_layers.Length - 1).OutputChannels, width = FeatureSize;
        var dTop = Buffer(ref _outputGradients[^1], rows * steps * c);
        dTop.Clear();
        var dFeatures = FeatureGradients;
        for (int n = 0; n < rows; n++)
        {
            for (int s = 0; s < width / c; s++)
            {
                var (first, end) = Segment(s, steps);
                float share = 1f / (end - first);
                for (int t = first; t < end; t++)
                {
                    var dt = dTop.Slice((n * steps + t) * c, c);
                    TensorPrimitives.MultiplyAdd(dFeatures.Slice(n * width + s * c, c), share, dt, dt);
                }
            }
        }
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            int channels = _weights.GetConvLayer(i).OutputChannels;
            var dy = _outputGradients[i].AsSpan(0, rows * steps * channels);
            var y = _outputs[i].AsSpan(0, rows * steps * channels);
            var dx = i == 0 ? default : Buffer(ref _outputGradients[i - 1], rows * steps * _weights.GetConvLayer(i - 1).OutputChannels);
            _layers[i].Backward(dy, y, rows, steps, gradients.GetConvLayer(i), dx);
        }
    }

    /// <summary>Segment 0 is every step; 1 the first ⌈T/2⌉, 2 the last ⌈T/2⌉ (the middle step of an odd T in both).</summary>
    private static (int First, int End) Segment(int segment, int steps) => segment switch
    {
        0 => (0, steps),
        1 => (0, (steps + 1) / 2),
        _ => (steps / 2, steps),
    };

    private static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer.AsSpan(0, length);
    }
}
