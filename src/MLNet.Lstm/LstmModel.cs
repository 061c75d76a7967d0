using Google.Protobuf;
using MLNet.Lstm.Onnx;
using MLNet.Lstm.Onnx.Proto;
using MLNet.Lstm.Training;

namespace MLNet.Lstm;

/// <summary>
/// An LSTM as an ONNX graph: built in memory (<see cref="CreateRandom"/>, <see cref="FromWeights"/>)
/// or read from a file that PyTorch's <c>torch.onnx.export</c> or another tool wrote
/// (<see cref="FromOnnx(string)"/>). The featurizer always runs it through ONNX Runtime.
/// </summary>
/// <remarks>
/// The architecture is PyTorch's <c>nn.LSTM(InputSize, HiddenSize, NumLayers, batch_first=True,
/// bidirectional=Bidirectional)</c>, optionally followed by <c>nn.Linear(D·H, OutputSize)</c> on the
/// last step's output (or on the last, mean and max states), optionally with a convolutional
/// branch beside the LSTM whose pooled features the head also reads (<see cref="LstmWeights.GetConvLayer"/>).
/// Its input is a batch of sequences [batch, time, InputSize].
/// </remarks>
/// <example>
/// <code>
/// var model = LstmModel.CreateRandom(inputSize: 1, hiddenSize: 64, numLayers: 2, outputSize: 1, seed: 42);
/// model.SaveOnnx("lstm.onnx");
/// var again = LstmModel.FromOnnx("lstm.onnx");
/// </code>
/// </example>
public sealed class LstmModel
{
    private readonly ModelProto _proto;

    private LstmModel(ModelProto proto, string source)
    {
        _proto = proto;
        Graph = OnnxLstmGraphReader.Read(proto, source);
    }

    internal LstmGraphInfo Graph { get; }

    /// <summary>Features per time step (F).</summary>
    public int InputSize => Graph.InputSize;

    /// <summary>Hidden units per direction (H).</summary>
    public int HiddenSize => Graph.HiddenSize;

    /// <summary>Stacked LSTM layers (L): the number of LSTM nodes in the graph.</summary>
    public int NumLayers => Graph.NumLayers;

    /// <summary>Whether each layer also reads the sequence backwards.</summary>
    public bool Bidirectional => Graph.Bidirectional;

    /// <summary>
    /// Values per sequence of the model's own output (its graph's first declared output, flattened),
    /// which <see cref="LstmRepresentation.ModelOutput"/> returns; 0 when the declared shape does not
    /// fix them (a model without a head outputs every step, so its size depends on the sequence).
    /// </summary>
    public int OutputSize => Graph.OutputSize;

    /// <summary>The number of time steps the graph requires, when its input fixes them; null when any length works.</summary>
    public int? SequenceLength => Graph.FixedSequenceLength is long t ? checked((int)t) : null;

    /// <summary>
    /// Builds PyTorch's <c>nn.LSTM</c> (+ optional <c>nn.Linear</c> head on the last step) with
    /// weights drawn as PyTorch's default initialisation draws them: every LSTM parameter
    /// uniform in ±1/√H, the head's uniform in ±1/√(D·H). The draws come from <paramref name="seed"/>
    /// through a fixed generator, so the same seed gives the same model on every machine.
    /// </summary>
    /// <param name="inputSize">Features per time step (F).</param>
    /// <param name="hiddenSize">Hidden units per direction (H).</param>
    /// <param name="numLayers">Stacked LSTM layers.</param>
    /// <param name="outputSize">Outputs of the linear head; 0 for no head.</param>
    /// <param name="bidirectional">Whether each layer also reads the sequence backwards.</param>
    /// <param name="seed">Seed of the weight draws.</param>
    /// <example>
    /// <code>
    /// var model = LstmModel.CreateRandom(inputSize: 3, hiddenSize: 32, numLayers: 2, bidirectional: true);
    /// </code>
    /// </example>
    public static LstmModel CreateRandom(int inputSize, int hiddenSize, int numLayers = 1,
        int outputSize = 0, bool bidirectional = false, int seed = 0) =>
        FromWeights(InitialWeights.Draw(inputSize, hiddenSize, numLayers, outputSize, bidirectional, seed));

    /// <summary>Builds the ONNX graph of an LSTM from its parameters in PyTorch layout.</summary>
    /// <param name="weights">The parameters, e.g. trained in .NET or copied from a PyTorch <c>state_dict</c>.</param>
    /// <exception cref="ArgumentException">A tensor holds NaN or infinity, or the preprocessing does not fit the input size.</exception>
    /// <example>
    /// <code>
    /// var weights = new LstmWeights(inputSize: 1, hiddenSize: 4);
    /// weights.GetCell(0, 0).BiasIh[0] = 1f;
    /// var model = LstmModel.FromWeights(weights);
    /// </code>
    /// </example>
    public static LstmModel FromWeights(LstmWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return new LstmModel(OnnxLstmGraphBuilder.Build(weights), "built in memory");
    }

    /// <summary>
    /// Reads an ONNX file holding one or more LSTM nodes (one per layer, as <c>torch.onnx.export</c>
    /// writes <c>nn.LSTM</c>). Tensors stored in external data files beside the model are loaded.
    /// </summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not ONNX, holds no usable LSTM, declares a hidden_size whose weights would not fit one array (2,147,483,591 values), or a parameter tensor (of an LSTM, Gemm, MatMul, Add, Sub or Mul node) holds NaN or infinity.</exception>
    /// <example>
    /// <code>
    /// var model = LstmModel.FromOnnx("exported_by_pytorch.onnx");
    /// Console.WriteLine($"{model.NumLayers} layers of {model.HiddenSize}");
    /// </code>
    /// </example>
    public static LstmModel FromOnnx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw LstmThrow.ModelFileMissing(path);
        }
        using var stream = File.OpenRead(path);
        var proto = Parse(stream, path);
        OnnxExternalData.Load(proto, path);
        return Checked(proto, path);
    }

    /// <summary>Reads an ONNX model from a stream; see <see cref="FromOnnx(string)"/>.</summary>
    /// <param name="onnx">A stream positioned at the start of the ONNX bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not ONNX, hold no usable LSTM, refer to external data files, declare sizes that do not fit an array, or a parameter tensor holds NaN or infinity.</exception>
    /// <example>
    /// <code>
    /// using var stream = File.OpenRead("lstm.onnx");
    /// var model = LstmModel.FromOnnx(stream);
    /// </code>
    /// </example>
    public static LstmModel FromOnnx(Stream onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        var proto = Parse(onnx, "stream");
        OnnxExternalData.RejectExternal(proto, "stream");
        return Checked(proto, "stream");
    }

    /// <summary>The model's parameters in PyTorch layout (a copy).</summary>
    /// <exception cref="NotSupportedException">The model's head is not one Gemm producing its output, or the graph
    /// holds what PyTorch's layout cannot carry (an LSTM's clip, activations, input_forget, peephole P or
    /// non-zero constant initial state; a Gemm's alpha, beta or transA).</exception>
    /// <example>
    /// <code>
    /// LstmWeights weights = LstmModel.FromOnnx("lstm.onnx").GetWeights();
    /// </code>
    /// </example>
    public LstmWeights GetWeights() => OnnxLstmGraphReader.ReadWeights(_proto, Graph, withHead: true);

    /// <summary>Whether the head is one Gemm that <see cref="GetWeights"/> reads.</summary>
    internal bool HasOneGemmHead => OnnxLstmGraphReader.HasOneGemmHead(_proto, Graph);

    /// <summary>The LSTM's parameters (and its convolutional branch) without any head, whatever the head's form.</summary>
    internal LstmWeights GetLstmWeights() => OnnxLstmGraphReader.ReadWeights(_proto, Graph, withHead: false);

    /// <summary>What fine-tuning reads: the LSTM, and the whole weights when the head is one Gemm of the size training needs.</summary>
    internal PretrainedWeights ToPretrained() => new(GetLstmWeights, outputSize => OutputSize == outputSize && HasOneGemmHead ? GetWeights() : null);

    /// <summary>Writes the ONNX graph to a file that ONNX Runtime, PyTorch-side tools and <see cref="FromOnnx(string)"/> read.</summary>
    /// <param name="path">Path of the .onnx file to write.</param>
    /// <example>
    /// <code>
    /// LstmModel.CreateRandom(1, 16).SaveOnnx("lstm.onnx");
    /// </code>
    /// </example>
    public void SaveOnnx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.Create(path);
        _proto.WriteTo(file);
    }

    /// <summary>The ONNX graph as bytes.</summary>
    /// <example>
    /// <code>
    /// byte[] onnx = LstmModel.CreateRandom(1, 16).ToOnnxBytes();
    /// </code>
    /// </example>
    public byte[] ToOnnxBytes() => _proto.ToByteArray();

    /// <summary>
    /// An engine that scores a live series one point at a time with this model: one LSTM step
    /// per point, the states carried between calls (see <see cref="LstmTimeSeriesEngine"/>).
    /// The model must forecast the next point: train it with <see cref="LstmObjective.NextStep"/>.
    /// </summary>
    /// <param name="options">How errors become scores, and the session's threads; null for the defaults. The engine keeps a copy: later changes to this object do not reach it.</param>
    /// <returns>A new engine with its own ONNX Runtime session; dispose it.</returns>
    /// <example>
    /// <code>
    /// using var engine = forecaster.Model.CreateTimeSeriesEngine();
    /// float score = engine.Predict(42.0f).Score;
    /// </code>
    /// </example>
    public LstmTimeSeriesEngine CreateTimeSeriesEngine(LstmTimeSeriesOptions? options = null) => new(this, options);

    /// <summary>The graph rewritten so its only output is <paramref name="representation"/> as [batch, size].</summary>
    internal (byte[] Onnx, int Size) ToRepresentationGraph(LstmRepresentation representation, LstmPrecision precision = LstmPrecision.Float32)
    {
        var (model, size) = OnnxRepresentationRewriter.Rewrite(_proto, Graph, representation);
        if (precision == LstmPrecision.Int8)
        {
            model = OnnxInt8Rewriter.Rewrite(model, Graph.Source);
        }
        return (model.ToByteArray(), size);
    }

    /// <summary>The representation graph as plain nodes and initializers, for ML.NET's ONNX export.</summary>
    internal OnnxExportGraph ToExportGraph(LstmRepresentation representation)
    {
        var (model, size) = OnnxRepresentationRewriter.Rewrite(_proto, Graph, representation);
        return OnnxExportGraph.From(model, Graph.InputName, OnnxRepresentationRewriter.FeaturesName, size, Graph.Source);
    }

    /// <summary>A model read from outside: its sizes must fit in arrays and its parameters be finite.</summary>
    private static LstmModel Checked(ModelProto proto, string source)
    {
        var model = new LstmModel(proto, source);
        OnnxSizeCheck.RequireFits(model.Graph, source);
        OnnxParameterCheck.RequireFinite(proto.Graph, source);
        return model;
    }

    private static ModelProto Parse(Stream stream, string source)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw LstmThrow.ModelInvalid(source, $"it is not an ONNX protobuf ({e.Message})", e);
        }
    }
}
