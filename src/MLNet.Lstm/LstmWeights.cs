using static System.FormattableString;

namespace MLNet.Lstm;

/// <summary>
/// The parameters of an LSTM (its optional convolutional branch, and its optional linear head)
/// in PyTorch's layout: the same tensors, shapes and gate order (input, forget, cell, output) as
/// the <c>state_dict</c> of <c>nn.LSTM</c> (beside <c>nn.Conv1d</c> layers) followed by <c>nn.Linear</c>. <see cref="LstmModel.FromWeights"/> turns them
/// into an ONNX graph; <see cref="LstmModel.GetWeights"/> reads them back from any model. The
/// architecture, preprocessing and head input are fixed once built (set them in an object
/// initializer, on a new or a copied set); the tensors' values are the caller's to fill.
/// </summary>
/// <example>
/// <code>
/// var weights = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 8).GetWeights();
/// float[] w = weights.GetCell(layer: 0, direction: 0).WeightIh; // PyTorch's lstm.weight_ih_l0
/// </code>
/// </example>
public sealed class LstmWeights
{
    private readonly LstmCellWeights[] _cells;
    private readonly LstmConvLayerWeights[] _convLayers;
    private readonly int? _convPoolingStride;
    private bool _convHalves;
    private LstmHeadInput _headInput;
    private LstmKernelBankWeights[] _kernelBanks = [];

    /// <summary>A deep copy of <paramref name="source"/>: every tensor and the preprocessing; change what the copy keeps in an object initializer.</summary>
    /// <param name="source">The parameters to copy.</param>
    /// <example>
    /// <code>
    /// var standardized = new LstmWeights(model.GetWeights()) { InputOffset = [mean], InputScale = [1f / standardDeviation] };
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public LstmWeights(LstmWeights source)
        : this(NotNull(source).InputSize, source.HiddenSize, source.NumLayers, source.OutputSize, source.Bidirectional, source.ConvChannels, source.ConvKernelSizes)
    {
        HeadInput = source.HeadInput;
        InputOffset = (float[]?)source.InputOffset?.Clone();
        InputScale = (float[]?)source.InputScale?.Clone();
        PoolingStride = source.PoolingStride;
        _convPoolingStride = source._convPoolingStride;
        ConvHalves = source.ConvHalves;
        KernelBanks = Array.ConvertAll([.. source.KernelBanks], b => new LstmKernelBankWeights(b));
        FeatureOffset = (float[]?)source.FeatureOffset?.Clone();
        FeatureScale = (float[]?)source.FeatureScale?.Clone();
        foreach (var (from, to) in source.Tensors().Zip(Tensors()))
        {
            from.CopyTo(to, 0);
        }
    }

    // A constructor initializer reads the source before the body could check it.
    private static LstmWeights NotNull(LstmWeights source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source;
    }

    /// <summary>Creates zero-filled parameters for the given architecture.</summary>
    /// <param name="inputSize">Features per time step (F).</param>
    /// <param name="hiddenSize">Hidden units per direction (H).</param>
    /// <param name="numLayers">Stacked LSTM layers (L).</param>
    /// <param name="outputSize">Outputs of the linear head on the last step; 0 for no head.</param>
    /// <param name="bidirectional">Whether each layer also reads the sequence backwards.</param>
    /// <param name="convChannels">
    /// Output channels of each layer of the convolutional branch beside the LSTM (see
    /// <see cref="GetConvLayer"/>); null or empty for none. The head then reads the branch's
    /// pooled features after the LSTM's.
    /// </param>
    /// <param name="convKernelSizes">Kernel size (steps) of each convolutional layer: one per entry of <paramref name="convChannels"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 (outputSize below 0), or makes a tensor longer than the longest .NET array (2,147,483,591 values; hiddenSize at most 23,170).</exception>
    /// <exception cref="ArgumentException">The convolutional layers' channels and kernel sizes differ in count.</exception>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 3, hiddenSize: 16, numLayers: 2, outputSize: 1);
    /// var withConv = new LstmWeights(inputSize: 1, hiddenSize: 32, outputSize: 4, convChannels: [32, 32], convKernelSizes: [7, 3]);
    /// </code>
    /// </example>
    public LstmWeights(int inputSize, int hiddenSize, int numLayers = 1, int outputSize = 0, bool bidirectional = false,
        IReadOnlyList<int>? convChannels = null, IReadOnlyList<int>? convKernelSizes = null)
    {
        LstmThrow.IfArchitectureInvalid(inputSize, hiddenSize, numLayers, outputSize);
        LstmThrow.IfConvArchitectureInvalid(convChannels, convKernelSizes);
        CheckSizes(inputSize, hiddenSize, numLayers, outputSize, bidirectional ? 2 : 1);
        _convLayers = new LstmConvLayerWeights[convChannels?.Count ?? 0];
        for (int i = 0; i < _convLayers.Length; i++)
        {
            int channelsIn = i == 0 ? inputSize : convChannels![i - 1];
            CheckSize(nameof(convChannels), convChannels![i], $"conv layer {i}'s {nameof(LstmConvLayerWeights.Weight)}", "channels × input channels × kernel size",
                (Int128)convChannels[i] * channelsIn * convKernelSizes![i]);
            _convLayers[i] = new LstmConvLayerWeights(channelsIn, convChannels[i], convKernelSizes[i]);
        }
        CheckSize(nameof(outputSize), outputSize, nameof(HeadWeight),
            ConvFeatureSize == 0 ? "outputSize × 3·directions·hiddenSize, read by LastMeanMax" : "outputSize × (3·directions·hiddenSize + conv channels), read by LastMeanMax",
            (3 * (Int128)(bidirectional ? 2 : 1) * hiddenSize + ConvFeatureSize) * outputSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        OutputSize = outputSize;
        Bidirectional = bidirectional;
        int directions = NumDirections;
        _cells = new LstmCellWeights[numLayers * directions];
        for (int layer = 0; layer < numLayers; layer++)
        {
            int layerInput = layer == 0 ? inputSize : hiddenSize * directions;
            for (int d = 0; d < directions; d++)
            {
                _cells[layer * directions + d] = new LstmCellWeights(layerInput, hiddenSize);
            }
        }
        if (outputSize > 0)
        {
            HeadWeight = new float[checked(outputSize * HeadInputSize(LstmHeadInput.LastStep))];
            HeadBias = new float[outputSize];
        }
    }

    // Every tensor's length in 128 bits first: in Int32, 4 × 32,768 × 32,768 wraps to an empty WeightHh (and 4·H × H overflows 64 bits too).
    private static void CheckSizes(int inputSize, int hiddenSize, int numLayers, int outputSize, int directions)
    {
        Int128 gates = 4 * (Int128)hiddenSize;
        CheckSize(nameof(hiddenSize), hiddenSize, nameof(LstmCellWeights.WeightHh), "4·hiddenSize × hiddenSize", gates * hiddenSize);
        CheckSize(nameof(inputSize), inputSize, $"layer 0's {nameof(LstmCellWeights.WeightIh)}", "4·hiddenSize × inputSize", gates * inputSize);
        if (numLayers > 1)
        {
            CheckSize(nameof(hiddenSize), hiddenSize, $"layer 1's {nameof(LstmCellWeights.WeightIh)}", "4·hiddenSize × directions·hiddenSize", gates * directions * hiddenSize);
        }
    }

    private static void CheckSize(string parameter, int value, string tensor, string shape, Int128 elements)
    {
        if (elements > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.WeightsTooLarge(parameter, value, tensor, shape, elements);
        }
    }

    /// <summary>
    /// Subtracted from each feature before the LSTM reads it: F values, or null for none. With
    /// <see cref="InputScale"/> it standardizes the input, x' = (x − offset) · scale, as ONNX's
    /// <c>Scaler</c>; training learns both from the training rows (<see cref="LstmTrainingOptions.Standardize"/>).
    /// They are nodes of the ONNX graph, so every runtime that runs the model applies them.
    /// </summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 1, hiddenSize: 16) { InputOffset = [mean], InputScale = [1f / standardDeviation] };
    /// </code>
    /// </example>
    public float[]? InputOffset { get; init; }

    /// <summary>Multiplies each feature (after <see cref="InputOffset"/>) before the LSTM reads it: F values, or null for none.</summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 3, hiddenSize: 16) { InputScale = [0.5f, 2f, 1f] };
    /// </code>
    /// </example>
    public float[]? InputScale { get; init; }

    /// <summary>
    /// Consecutive steps averaged into one before the LSTM reads them (after scaling): the LSTM
    /// sees ⌈T / PoolingStride⌉ steps, the last one the mean of the steps left over. 1 (the
    /// default) reads every step. Long sequences fade in an LSTM; training picks this from the
    /// training rows' length (<see cref="LstmTrainingOptions.MaxSteps"/>). At most
    /// <see cref="LstmDefaults.MaxPoolingStride"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 1, hiddenSize: 16) { PoolingStride = 4 }; // 300 steps reach the LSTM as 75
    /// </code>
    /// </example>
    public int PoolingStride { get; init; } = 1;

    /// <summary>
    /// Consecutive steps averaged into one before the convolutional branch reads them (after
    /// scaling); by default the LSTM's <see cref="PoolingStride"/>, so the branch reads what the
    /// LSTM reads. A smaller stride lets the branch see shapes finer than the LSTM's steps; training
    /// picks it from the rows' length (<see cref="LstmTrainingOptions.ConvMaxSteps"/>). Ignored without a branch;
    /// at most <see cref="LstmDefaults.MaxPoolingStride"/>. Left unset, it follows the LSTM's stride,
    /// in a copy too: <c>new LstmWeights(source) { PoolingStride = 4 }</c> moves both unless the source set its own.
    /// </summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(1, 16, 1, 2, false, [32, 64, 32], [8, 5, 3]) { PoolingStride = 8, ConvPoolingStride = 2 }; // 512 steps: the LSTM reads 64, the branch 256
    /// </code>
    /// </example>
    public int ConvPoolingStride
    {
        get => _convPoolingStride ?? PoolingStride;
        init => _convPoolingStride = value;
    }

    /// <summary><see cref="ConvPoolingStride"/> when set apart from the LSTM's, else null: what a copy keeps.</summary>
    internal int? OwnConvPoolingStride
    {
        get => _convPoolingStride;
        init => _convPoolingStride = value;
    }

    /// <summary>
    /// What the head reads; default <see cref="LstmHeadInput.LastStep"/> (PyTorch's seed model).
    /// Ignored without a head. A copy given another head input gets a zero-filled head weight of its width.
    /// </summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 1, hiddenSize: 16, outputSize: 2) { HeadInput = LstmHeadInput.LastMeanMax }; // HeadWeight is then OutputSize × 3·D·H
    /// </code>
    /// </example>
    public LstmHeadInput HeadInput
    {
        get => _headInput;
        init
        {
            if (value != _headInput && HeadWeight is not null)
            {
                HeadWeight = ZeroHead(nameof(HeadInput), value, _convHalves);
            }
            _headInput = value;
        }
    }

    /// <summary>
    /// Values the head reads per sequence: D·H for <see cref="LstmHeadInput.LastStep"/>, 3·D·H for
    /// <see cref="LstmHeadInput.LastMeanMax"/>, plus <see cref="ConvFeatureSize"/> with a convolutional branch.
    /// </summary>
    /// <example>
    /// <code>
    /// int columns = weights.HeadWeight!.Length / weights.OutputSize; // == weights.HeadInputWidth
    /// </code>
    /// </example>
    public int HeadInputWidth => HeadInputSize(_headInput);

    private int HeadInputSize(LstmHeadInput input) => checked(LstmHeadInputSize(input) + ConvFeatureSize);

    /// <summary>The zero-filled head weight a copy given another <paramref name="option"/> gets; refused where it outgrows one .NET array.</summary>
    private float[] ZeroHead(string option, LstmHeadInput input, bool halves)
    {
        long lstmValues = input switch
        {
            LstmHeadInput.LastStep => (long)NumDirections * HiddenSize,
            LstmHeadInput.LastMeanMax => 3L * NumDirections * HiddenSize,
            _ => throw LstmThrow.WeightsInvalid(nameof(HeadInput), $"expected LastStep or LastMeanMax, found {input}"),
        };
        long convValues = _convLayers.Length == 0 ? 0 : (long)_convLayers[^1].OutputChannels * (halves ? 3 : 1);
        return OutputSize * (lstmValues + convValues) <= Array.MaxLength
            ? new float[OutputSize * (lstmValues + convValues)]
            : throw LstmThrow.WeightsInvalid(option, $"a head of {OutputSize} × {lstmValues + convValues} values is longer than the longest .NET array");
    }

    /// <summary>Values the head reads from the LSTM, before the convolutional branch's.</summary>
    internal int LstmHeadInputSize(LstmHeadInput input) => input switch
    {
        LstmHeadInput.LastStep => NumDirections * HiddenSize,
        LstmHeadInput.LastMeanMax => checked(3 * NumDirections * HiddenSize),
        _ => throw LstmThrow.WeightsInvalid(nameof(HeadInput), $"expected LastStep or LastMeanMax, found {input}"),
    };

    /// <summary>Layers of the convolutional branch; 0 without one.</summary>
    /// <example>
    /// <code>
    /// bool hasBranch = model.GetWeights().ConvLayerCount > 0;
    /// </code>
    /// </example>
    public int ConvLayerCount => _convLayers.Length;

    /// <summary>Values the convolutional branch gives per sequence (its last layer's channels, averaged over time; three times as many with <see cref="ConvHalves"/>); 0 without one.</summary>
    /// <example>
    /// <code>
    /// int lstmValues = weights.HeadInputWidth - weights.ConvFeatureSize; // the head reads the LSTM's values first
    /// </code>
    /// </example>
    public int ConvFeatureSize => _convLayers.Length == 0 ? 0 : checked(_convLayers[^1].OutputChannels * (_convHalves ? 3 : 1));

    /// <summary>
    /// Whether the convolutional branch's features add, beside its last layer's mean over every
    /// step, its mean over the first and over the last half of the steps (⌈T/2⌉ each, the middle
    /// step of an odd T in both): three times the last layer's channels, in that order, so the
    /// classifier after the featurizer sees where in the sequence a shape occurs, as well as
    /// whether it does. Default false; training sets it from <see cref="LstmTrainingOptions.ConvHalves"/>.
    /// Ignored without a branch. A copy given another value gets a zero-filled head weight of its width.
    /// </summary>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(1, 16, 1, 2, false, [32, 64, 128], [8, 5, 3]) { HeadInput = LstmHeadInput.LastMeanMax, ConvHalves = true }; // 48 + 384 head inputs
    /// </code>
    /// </example>
    public bool ConvHalves
    {
        get => _convHalves;
        init
        {
            if (value != _convHalves && HeadWeight is not null && _convLayers.Length > 0)
            {
                HeadWeight = ZeroHead(nameof(ConvHalves), _headInput, value);
            }
            _convHalves = value;
        }
    }

    /// <summary>
    /// Banks of fixed dilated kernels that read the scaled, unpooled input beside the LSTM, each
    /// giving the proportion of steps where a kernel's convolution exceeds each of its thresholds
    /// (MiniRocket's features; see <see cref="LstmKernelBankWeights"/>). Their <see cref="KernelFeatureSize"/>
    /// values join the <see cref="LstmRepresentation.LastMeanMax"/> features after the LSTM's and the
    /// convolutional branch's; the head does not read them, and training does not change them. Empty
    /// (the default) for none; training fills them from <see cref="LstmTrainingOptions.KernelFeatures"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">A bank is null.</exception>
    /// <example>
    /// <code>
    /// var withBanks = new LstmWeights(model.GetWeights()) { KernelBanks = [bank], FeatureOffset = null, FeatureScale = null };
    /// </code>
    /// </example>
    public IReadOnlyList<LstmKernelBankWeights> KernelBanks
    {
        get => _kernelBanks;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _kernelBanks = [.. value];
            int missing = Array.IndexOf(_kernelBanks, null);
            if (missing >= 0)
            {
                throw LstmThrow.WeightsInvalid(nameof(KernelBanks), Invariant($"kernel bank {missing} is null"));
            }
        }
    }

    /// <summary>Values the kernel banks give per sequence: the sum of their <see cref="LstmKernelBankWeights.FeatureSize"/>; 0 without banks.</summary>
    /// <example>
    /// <code>
    /// int lstmAndBranch = featureSize - weights.KernelFeatureSize; // the kernel features come last
    /// </code>
    /// </example>
    public int KernelFeatureSize
    {
        get
        {
            long size = 0;
            foreach (var bank in KernelBanks)
            {
                size += bank.FeatureSize;
            }
            return size <= LstmDefaults.MaxTensorElements ? (int)size
                : throw LstmThrow.WeightsInvalid(nameof(KernelBanks), Invariant($"the banks give {size} features; expected at most {LstmDefaults.MaxTensorElements}"));
        }
    }

    /// <summary>
    /// Subtracted from each value of the <see cref="LstmRepresentation.LastMeanMax"/> features
    /// (<see cref="FeatureSize"/> values: the LSTM's, the convolutional branch's, the kernel banks'),
    /// or null for none. With <see cref="FeatureScale"/> it standardizes the features over the
    /// training rows, as MiniRocket's ridge classifier reads its features, so that a trainer after
    /// the featurizer weighs them alike; a featurizer trained for LastMeanMax sets both
    /// (<see cref="LstmTrainingOptions.StandardizeFeatures"/>). The graph holds them as the constants
    /// <c>features.offset</c> and <c>features.scale</c>, which the featurizer applies to that
    /// representation. A copy that changes the features' count (its banks, <see cref="ConvHalves"/>)
    /// must set both anew or to null.
    /// </summary>
    /// <example>
    /// <code>
    /// var raw = new LstmWeights(weights) { FeatureOffset = null, FeatureScale = null }; // the features as the LSTM gives them
    /// </code>
    /// </example>
    public float[]? FeatureOffset { get; init; }

    /// <summary>Multiplies each value of the <see cref="LstmRepresentation.LastMeanMax"/> features after <see cref="FeatureOffset"/>: <see cref="FeatureSize"/> values, or null for none.</summary>
    /// <example>
    /// <code>
    /// float scale0 = weights.FeatureScale?[0] ?? 1f;
    /// </code>
    /// </example>
    public float[]? FeatureScale { get; init; }

    /// <summary>Values of the <see cref="LstmRepresentation.LastMeanMax"/> features: 3·D·H, then <see cref="ConvFeatureSize"/>, then <see cref="KernelFeatureSize"/>.</summary>
    /// <example>
    /// <code>
    /// int kernelStart = weights.FeatureSize - weights.KernelFeatureSize;
    /// </code>
    /// </example>
    public int FeatureSize => checked(3 * NumDirections * HiddenSize + ConvFeatureSize + KernelFeatureSize);

    /// <summary>Each convolutional layer's output channels, in order; empty without a branch.</summary>
    /// <example>
    /// <code>
    /// var copy = new LstmWeights(w.InputSize, w.HiddenSize, w.NumLayers, w.OutputSize, w.Bidirectional, w.ConvChannels, w.ConvKernelSizes);
    /// </code>
    /// </example>
    public IReadOnlyList<int> ConvChannels => Array.ConvertAll(_convLayers, l => l.OutputChannels);

    /// <summary>Each convolutional layer's kernel size, in order; empty without a branch.</summary>
    /// <example>
    /// <code>
    /// Console.WriteLine(string.Join("-", weights.ConvKernelSizes)); // 8-5-3 after default training
    /// </code>
    /// </example>
    public IReadOnlyList<int> ConvKernelSizes => Array.ConvertAll(_convLayers, l => l.KernelSize);

    /// <summary>Features per time step (F).</summary>
    public int InputSize { get; }

    /// <summary>Hidden units per direction (H).</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked LSTM layers (L).</summary>
    public int NumLayers { get; }

    /// <summary>Outputs of the linear head; 0 when there is no head.</summary>
    public int OutputSize { get; }

    /// <summary>Whether each layer also reads the sequence backwards.</summary>
    public bool Bidirectional { get; }

    /// <summary>2 when <see cref="Bidirectional"/>, else 1 (D).</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>
    /// The head's weight, <c>fc.weight</c> in PyTorch: OutputSize × <see cref="HeadInputWidth"/>
    /// (D·H when the head reads the last step), row-major; null when there is no head.
    /// </summary>
    public float[]? HeadWeight { get; private set; }

    /// <summary>The head's bias, <c>fc.bias</c> in PyTorch: OutputSize values; null when there is no head.</summary>
    public float[]? HeadBias { get; }

    /// <summary>The parameters of one layer and direction (direction 1 is PyTorch's <c>_reverse</c>).</summary>
    /// <param name="layer">0 for the layer that reads the input.</param>
    /// <param name="direction">0 forward, 1 backward.</param>
    /// <example>
    /// <code>
    /// float[] weightHhReverse = weights.GetCell(layer: 1, direction: 1).WeightHh; // lstm.weight_hh_l1_reverse
    /// </code>
    /// </example>
    public LstmCellWeights GetCell(int layer, int direction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, NumLayers);
        ArgumentOutOfRangeException.ThrowIfNegative(direction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(direction, NumDirections);
        return _cells[layer * NumDirections + direction];
    }

    /// <summary>
    /// One layer of the convolutional branch: PyTorch's <c>nn.Conv1d(in, out, kernel, padding='same')</c>
    /// followed by ReLU. The branch reads the sequence the LSTM reads (scaled and pooled), and its
    /// last layer's output, averaged over time, joins the head's input after the LSTM's.
    /// </summary>
    /// <param name="layer">0 for the layer that reads the input.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is negative or not below <see cref="ConvLayerCount"/>.</exception>
    /// <example>
    /// <code>
    /// float[] kernels = weights.GetConvLayer(0).Weight; // conv.0.weight: [out, in, kernel]
    /// </code>
    /// </example>
    public LstmConvLayerWeights GetConvLayer(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, ConvLayerCount);
        return _convLayers[layer];
    }

    /// <summary>Every parameter tensor in a fixed order (cells layer by layer, the convolutional layers, then the head): what optimizers walk.</summary>
    internal IEnumerable<float[]> Tensors()
    {
        foreach (var cell in _cells)
        {
            yield return cell.WeightIh;
            yield return cell.WeightHh;
            yield return cell.BiasIh;
            yield return cell.BiasHh;
        }
        foreach (var conv in _convLayers)
        {
            yield return conv.Weight;
            yield return conv.Bias;
        }
        if (HeadWeight is not null)
        {
            yield return HeadWeight;
            yield return HeadBias!;
        }
    }

    /// <summary>A zero-filled set of the same shapes (gradients, optimizer state); the input preprocessing is shared, not copied.</summary>
    internal LstmWeights ZerosLike() => new(InputSize, HiddenSize, NumLayers, OutputSize, Bidirectional, ConvChannels, ConvKernelSizes)
    {
        HeadInput = HeadInput,
        InputOffset = InputOffset,
        InputScale = InputScale,
        PoolingStride = PoolingStride,
        ConvPoolingStride = ConvPoolingStride,
        ConvHalves = ConvHalves,
    };

    /// <summary>Checks what the public initializers cannot: the preprocessing's sizes and values.</summary>
    internal void Validate()
    {
        CheckPerFeature(InputOffset, nameof(InputOffset));
        CheckPerFeature(InputScale, nameof(InputScale));
        CheckStride(PoolingStride, nameof(PoolingStride));
        CheckStride(ConvPoolingStride, nameof(ConvPoolingStride));
        _ = HeadInputWidth;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            for (int d = 0; d < NumDirections; d++)
            {
                var cell = GetCell(layer, d);
                CheckFinite(cell.WeightIh, $"layer {layer}, direction {d}, {nameof(LstmCellWeights.WeightIh)}");
                CheckFinite(cell.WeightHh, $"layer {layer}, direction {d}, {nameof(LstmCellWeights.WeightHh)}");
                CheckFinite(cell.BiasIh, $"layer {layer}, direction {d}, {nameof(LstmCellWeights.BiasIh)}");
                CheckFinite(cell.BiasHh, $"layer {layer}, direction {d}, {nameof(LstmCellWeights.BiasHh)}");
            }
        }
        for (int i = 0; i < ConvLayerCount; i++)
        {
            CheckFinite(_convLayers[i].Weight, $"conv layer {i}, {nameof(LstmConvLayerWeights.Weight)}");
            CheckFinite(_convLayers[i].Bias, $"conv layer {i}, {nameof(LstmConvLayerWeights.Bias)}");
        }
        if (HeadWeight is not null)
        {
            CheckFinite(HeadWeight, nameof(HeadWeight));
            CheckFinite(HeadBias!, nameof(HeadBias));
        }
        ValidateKernelBanksAndFeatureScaling();
    }

    private void ValidateKernelBanksAndFeatureScaling()
    {
        for (int i = 0; i < KernelBanks.Count; i++)
        {
            var bank = KernelBanks[i];
            if (bank.InputChannels != InputSize)
            {
                throw LstmThrow.KernelBankChannels(i, bank.InputChannels, InputSize);
            }
            CheckFinite(bank.Weight, $"kernel bank {i}, {nameof(LstmKernelBankWeights.Weight)}");
            CheckFinite(bank.Thresholds, $"kernel bank {i}, {nameof(LstmKernelBankWeights.Thresholds)}");
        }
        int features = FeatureSize;
        foreach (var (values, name) in new[] { (FeatureOffset, nameof(FeatureOffset)), (FeatureScale, nameof(FeatureScale)) })
        {
            if (values is null)
            {
                continue;
            }
            if (values.Length != features)
            {
                throw LstmThrow.FeatureScaling(name, values.Length, features);
            }
            CheckFinite(values, name);
        }
    }

    // A NaN or infinity in a weight does not fail in ONNX Runtime: saturated gates turn it into finite-looking features.
    private static void CheckFinite(float[] tensor, string name)
    {
        int index = FiniteValues.FirstNonFinite(tensor);
        if (index >= 0)
        {
            throw LstmThrow.WeightsNotFinite(name, index, tensor[index]);
        }
    }

    private static void CheckStride(int stride, string name)
    {
        if (stride < 1)
        {
            throw LstmThrow.WeightsInvalid(name, $"expected at least 1, found {stride}");
        }
        if (stride > LstmDefaults.MaxPoolingStride)
        {
            throw LstmThrow.WeightsInvalid(name, $"expected at most {LstmDefaults.MaxPoolingStride} (LstmDefaults.MaxPoolingStride), found {stride}");
        }
    }

    private void CheckPerFeature(float[]? values, string name)
    {
        if (values is null)
        {
            return;
        }
        if (values.Length != InputSize)
        {
            throw LstmThrow.WeightsInvalid(name, $"expected {InputSize} values (one per feature) or null, found {values.Length}");
        }
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw LstmThrow.WeightsInvalid(name, $"expected finite values, found {v}");
            }
        }
    }
}

/// <summary>
/// One LSTM layer in one direction, as PyTorch stores it: four gates stacked in the order
/// input (i), forget (f), cell (g), output (o), each block <c>HiddenSize</c> rows.
/// </summary>
/// <example>
/// <code>
/// LstmCellWeights cell = model.GetWeights().GetCell(0, 0);
/// float forgetBias = cell.BiasIh[cell.HiddenSize]; // the forget gate's first unit
/// </code>
/// </example>
public sealed class LstmCellWeights
{
    internal LstmCellWeights(int inputSize, int hiddenSize)
    {
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        WeightIh = new float[checked(4 * hiddenSize * inputSize)];
        WeightHh = new float[checked(4 * hiddenSize * hiddenSize)];
        BiasIh = new float[checked(4 * hiddenSize)];
        BiasHh = new float[checked(4 * hiddenSize)];
    }

    /// <summary>Inputs to this layer: F for layer 0, D·H above it.</summary>
    public int InputSize { get; }

    /// <summary>Hidden units (H).</summary>
    public int HiddenSize { get; }

    /// <summary><c>weight_ih</c>: 4H × InputSize, row-major, gates i, f, g, o.</summary>
    public float[] WeightIh { get; }

    /// <summary><c>weight_hh</c>: 4H × H, row-major, gates i, f, g, o.</summary>
    public float[] WeightHh { get; }

    /// <summary><c>bias_ih</c>: 4H values, gates i, f, g, o.</summary>
    public float[] BiasIh { get; }

    /// <summary><c>bias_hh</c>: 4H values, gates i, f, g, o.</summary>
    public float[] BiasHh { get; }
}
