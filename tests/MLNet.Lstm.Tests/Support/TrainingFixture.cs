using System.Text.Json;

namespace MLNet.Lstm.Tests.Support;

/// <summary>A PyTorch training run to reproduce (Fixtures/pytorch-training, see README.md there).</summary>
internal sealed class TrainingFixture
{
    private TrainingFixture(string name)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch-training");
        InitialOnnx = Path.Combine(folder, name + ".initial.onnx");
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, name + ".json"))).RootElement;
        var config = root.GetProperty("config");
        BatchSize = config.GetProperty("batch_size").GetInt32();
        Steps = config.GetProperty("steps").GetInt32();
        LearningRate = config.GetProperty("learning_rate").GetSingle();
        Objective = config.GetProperty("objective").GetString() == "classification" ? LstmObjective.Classification : LstmObjective.NextStep;
        Input = root.GetProperty("input").EnumerateArray()
            .Select(seq => seq.EnumerateArray().Select(step => step.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray())
            .ToArray();
        Labels = root.GetProperty("labels").ValueKind == JsonValueKind.Array
            ? [.. root.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32())]
            : [];
        Losses = [.. root.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble())];
        LastHidden = Rows(root.GetProperty("last_hidden"));
        Output = Rows(root.GetProperty("output"));
    }

    public string InitialOnnx { get; }

    public int BatchSize { get; }

    public int Steps { get; }

    public float LearningRate { get; }

    public LstmObjective Objective { get; }

    /// <summary>[N][T][F].</summary>
    public float[][][] Input { get; }

    public int[] Labels { get; }

    /// <summary>losses[k]: the loss before step k's update.</summary>
    public double[] Losses { get; }

    public float[][] LastHidden { get; }

    public float[][] Output { get; }

    public int Epochs => Steps * BatchSize / Input.Length;

    public static TrainingFixture Load(string name) => new(name);

    private static float[][] Rows(JsonElement element) =>
        [.. element.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
}
