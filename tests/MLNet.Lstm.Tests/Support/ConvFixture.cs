using System.Text.Json;

namespace MLNet.Lstm.Tests.Support;

/// <summary>A PyTorch nn.Conv1d stack with its outputs (Fixtures/conv, see README.md there).</summary>
internal sealed class ConvFixture
{
    private ConvFixture(JsonElement root)
    {
        InputSize = root.GetProperty("input_size").GetInt32();
        Channels = Ints(root.GetProperty("channels"));
        KernelSizes = Ints(root.GetProperty("kernel_sizes"));
        Layers = [.. root.GetProperty("layers").EnumerateArray().Select(l => l.TryGetProperty("folded_weight", out var folded)
            ? (Floats(folded), Floats(l.GetProperty("folded_bias")))
            : (Floats(l.GetProperty("weight")), Floats(l.GetProperty("bias"))))];
        Cases = [.. root.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("batch").GetInt32(), c.GetProperty("steps").GetInt32(), Floats(c.GetProperty("input")), Floats(c.GetProperty("features"))))];
    }

    public int InputSize { get; }

    public int[] Channels { get; }

    public int[] KernelSizes { get; }

    /// <summary>Each layer's weight [C_out, C_in, K] and bias, batch normalisation folded in where the stack has it.</summary>
    public (float[] Weight, float[] Bias)[] Layers { get; }

    public Case[] Cases { get; }

    public static ConvFixture Load(string name) =>
        new(JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv", name + ".json"))).RootElement);

    /// <summary>An LSTM of <paramref name="hidden"/> units with this branch beside it, weights from <paramref name="seed"/>.</summary>
    public LstmWeights Weights(int hidden, int outputSize, int seed)
    {
        var lstm = LstmModel.CreateRandom(InputSize, hidden, seed: seed).GetWeights();
        var weights = new LstmWeights(InputSize, hidden, outputSize: outputSize, convChannels: Channels, convKernelSizes: KernelSizes)
        {
            HeadInput = LstmHeadInput.LastMeanMax,
        };
        lstm.GetCell(0, 0).WeightIh.CopyTo(weights.GetCell(0, 0).WeightIh, 0);
        lstm.GetCell(0, 0).WeightHh.CopyTo(weights.GetCell(0, 0).WeightHh, 0);
        for (int i = 0; i < Layers.Length; i++)
        {
            Layers[i].Weight.CopyTo(weights.GetConvLayer(i).Weight, 0);
            Layers[i].Bias.CopyTo(weights.GetConvLayer(i).Bias, 0);
        }
        return weights;
    }

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => (float)e.GetDouble())];

    /// <param name="Batch">N.</param>
    /// <param name="Steps">T.</param>
    /// <param name="Input">[N, T, F], batch-first.</param>
    /// <param name="Features">The last layer averaged over time, [N, C].</param>
    public sealed record Case(int Batch, int Steps, float[] Input, float[] Features)
    {
        public float[][][] Sequences(int features) =>
            [.. Enumerable.Range(0, Batch).Select(n => Enumerable.Range(0, Steps).Select(t => Input.AsSpan((n * Steps + t) * features, features).ToArray()).ToArray())];
    }
}
