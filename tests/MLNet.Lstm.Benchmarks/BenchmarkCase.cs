using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

internal static class OnnxNames
{
    public const string Input = "input";
    public const string Features = "mlnet_lstm_features";
}

/// <summary>One model and its rows; every path reads the same rows and runs the same graph.</summary>
internal sealed record BenchmarkCase(string Name, LstmModel Model, LstmRepresentation Representation, int Rows, int Steps, int LatencyRows)
{
    private float[]? _values;

    /// <summary>All rows back to back, [Rows, Steps, F], uniform in [-1, 1) from a fixed seed.</summary>
    public float[] Values => _values ??= MakeValues();

    /// <summary>2·4·H·(I+H) per step, per layer and direction, and 2·C_out·C_in·K per step and convolutional layer or kernel bank.</summary>
    public double FlopsPerSequence
    {
        get
        {
            int h = Model.HiddenSize, d = Model.Bidirectional ? 2 : 1;
            double perStep = 0;
            for (int layer = 0; layer < Model.NumLayers; layer++)
            {
                int input = layer == 0 ? Model.InputSize : d * h;
                perStep += d * 2.0 * 4 * h * (input + h);
            }
            var weights = Model.GetWeights();
            for (int i = 0; i < weights.ConvLayerCount; i++)
            {
                var conv = weights.GetConvLayer(i);
                perStep += 2.0 * conv.OutputChannels * conv.InputChannels * conv.KernelSize;
            }
            foreach (var bank in weights.KernelBanks)
            {
                perStep += 2.0 * bank.Kernels * bank.InputChannels * bank.KernelSize;
            }
            return perStep * Steps;
        }
    }

    /// <summary>The shape default training gives a univariate classifier (H 64 and the default branch), weights uniform in ±0.2 from a fixed seed.</summary>
    public static LstmModel RandomConvModel()
    {
        var lstm = LstmModel.CreateRandom(1, 64, seed: 1).GetWeights();
        var weights = new LstmWeights(1, 64, outputSize: 2, convChannels: [32, 64, 32], convKernelSizes: [8, 5, 3]) { HeadInput = LstmHeadInput.LastMeanMax };
        var cell = weights.GetCell(0, 0);
        lstm.GetCell(0, 0).WeightIh.CopyTo(cell.WeightIh, 0);
        lstm.GetCell(0, 0).WeightHh.CopyTo(cell.WeightHh, 0);
        lstm.GetCell(0, 0).BiasIh.CopyTo(cell.BiasIh, 0);
        var random = new Random(2);
        for (int i = 0; i < weights.ConvLayerCount; i++)
        {
            var conv = weights.GetConvLayer(i);
            for (int j = 0; j < conv.Weight.Length; j++)
            {
                conv.Weight[j] = (float)(random.NextDouble() * 0.4 - 0.2);
            }
        }
        return LstmModel.FromWeights(weights);
    }

    /// <summary>
    /// The shape default training gives a univariate classifier since the kernel features (issue 19):
    /// H 64, the 32-64-128 branch, MiniRocket's 3,948 kernel features (1,932 until 2026-12-06) fit on random rows of
    /// <paramref name="steps"/> steps, every feature standardized; weights from fixed seeds.
    /// </summary>
    public static LstmModel RandomKernelModel(int steps)
    {
        var lstm = LstmModel.CreateRandom(1, 64, seed: 1).GetWeights();
        var weights = new LstmWeights(1, 64, outputSize: 2, convChannels: [32, 64, 128], convKernelSizes: [8, 5, 3]) { HeadInput = LstmHeadInput.LastMeanMax };
        lstm.GetCell(0, 0).WeightIh.CopyTo(weights.GetCell(0, 0).WeightIh, 0);
        lstm.GetCell(0, 0).WeightHh.CopyTo(weights.GetCell(0, 0).WeightHh, 0);
        var random = new Random(2);
        foreach (var tensor in Enumerable.Range(0, weights.ConvLayerCount).Select(i => weights.GetConvLayer(i).Weight))
        {
            for (int j = 0; j < tensor.Length; j++)
            {
                tensor[j] = (float)(random.NextDouble() * 0.4 - 0.2);
            }
        }
        var rows = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, steps).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();
        var banks = Training.KernelBankFit.Fit(rows.Count, steps, i => rows[i], 1, LstmDefaults.KernelFeatures / LstmDefaults.KernelCount * LstmDefaults.KernelCount);
        int size = 3 * 64 + 128 + banks.Sum(b => b.FeatureSize);
        return LstmModel.FromWeights(new LstmWeights(weights)
        {
            KernelBanks = banks,
            FeatureOffset = [.. Enumerable.Range(0, size).Select(_ => (float)random.NextDouble())],
            FeatureScale = [.. Enumerable.Range(0, size).Select(_ => (float)(1 + random.NextDouble()))],
        });
    }

    /// <summary>The featurizer's options: the default output cache, or none (<paramref name="cache"/> false).</summary>
    public LstmFeaturizerOptions Options(int batchSize, bool cache = false)
    {
        var options = new LstmFeaturizerOptions
        {
            InputColumnNames = [OnnxNames.Input],
            Representation = Representation,
            BatchSize = batchSize,
        };
        // Timed passes over one view must each run the LSTM: the output cache would serve the third and later from memory.
        options.OutputCacheBytes = cache ? options.OutputCacheBytes : 0;
        return options;
    }

    /// <summary>The rows in ML.NET's cache, read once so every path starts from memory.</summary>
    public IDataView Data(MLContext mlContext)
    {
        int length = Steps * Model.InputSize;
        var rows = new BenchmarkRow[Rows];
        for (int i = 0; i < Rows; i++)
        {
            rows[i] = new BenchmarkRow { input = Values.AsSpan(i * length, length).ToArray() };
        }
        var cached = mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(rows, Schema(length)));
        Consume.All(cached, OnnxNames.Input);
        return cached;
    }

    /// <summary>The graph the featurizer runs (the model rewritten to output the representation), as a file for ApplyOnnxModel.</summary>
    public string SaveGraph()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-lstm-bench-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, Model.ToRepresentationGraph(Representation).Onnx);
        return path;
    }

    public static SchemaDefinition Schema(int length)
    {
        var schema = SchemaDefinition.Create(typeof(BenchmarkRow));
        schema[OnnxNames.Input].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return schema;
    }

    private float[] MakeValues()
    {
        var random = new Random(1);
        var values = new float[Rows * Steps * Model.InputSize];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }
}

internal sealed class BenchmarkRow
{
#pragma warning disable IDE1006 // the column is named as the ONNX graph's input
    public float[] input { get; set; } = [];
#pragma warning restore IDE1006
}

internal sealed class FeaturesRow
{
    public float[] Features { get; set; } = [];
}
