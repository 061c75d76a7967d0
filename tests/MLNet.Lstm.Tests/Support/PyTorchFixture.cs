using System.Text.Json;

namespace MLNet.Lstm.Tests.Support;

/// <summary>
/// A model exported by PyTorch with its reference outputs (Fixtures/pytorch, see README.md there).
/// </summary>
internal sealed class PyTorchFixture
{
    private readonly JsonElement _root;

    private PyTorchFixture(string name)
    {
        Name = name;
        OnnxPath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name + ".onnx");
        _root = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(OnnxPath, ".json"))).RootElement;
        Input = _root.GetProperty("input").EnumerateArray()
            .Select(seq => seq.EnumerateArray().Select(step => step.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray())
            .ToArray();
        var config = _root.GetProperty("config");
        InputSize = config.GetProperty("input_size").GetInt32();
        HiddenSize = config.GetProperty("hidden_size").GetInt32();
        NumLayers = config.GetProperty("num_layers").GetInt32();
        OutputSize = config.GetProperty("output_size").GetInt32();
    }

    public string Name { get; }

    public string OnnxPath { get; }

    /// <summary>[N][T][F].</summary>
    public float[][][] Input { get; }

    public int InputSize { get; }

    public int HiddenSize { get; }

    public int NumLayers { get; }

    public int OutputSize { get; }

    public static PyTorchFixture Load(string name) => new(name);

    /// <summary>The reference output for a representation, one row per sequence.</summary>
    public float[][] Expected(LstmRepresentation representation)
    {
        if (representation == LstmRepresentation.LastMeanMax)
        {
            var (last, mean, max) = (Expected(LstmRepresentation.LastHidden), Expected(LstmRepresentation.MeanHidden), Expected(LstmRepresentation.MaxHidden));
            return [.. last.Select((row, i) => (float[])[.. row, .. mean[i], .. max[i]])];
        }
        string key = representation switch
        {
            LstmRepresentation.LastHidden => "last_hidden",
            LstmRepresentation.LastHiddenAllLayers => "all_hidden",
            LstmRepresentation.LastCell => "last_cell",
            LstmRepresentation.MeanHidden => "mean_hidden",
            LstmRepresentation.MaxHidden => "max_hidden",
            LstmRepresentation.ModelOutput => "output",
            _ => throw new ArgumentOutOfRangeException(nameof(representation)),
        };
        return _root.GetProperty(key).EnumerateArray()
            .Select(row => Flatten(row).ToArray())
            .ToArray();
    }

    private static IEnumerable<float> Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().SelectMany(Flatten) : [element.GetSingle()];
}
