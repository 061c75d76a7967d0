using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Peak memory of featurizing 200 rows of 20,000 steps (F = 1, H = 64), given as a known-size
/// or a variable-size column. Peak working set is per process, so each layout is its own run:
/// <c>-- --long-sequences known</c> and <c>-- --long-sequences variable</c>, optionally followed by a
/// batch size (default 0: the featurizer's own choice).
/// </summary>
internal static class LongSequenceMemory
{
    private const int Rows = 200;
    private const int Steps = 20_000;

    public static void Run(string layout, int batchSize)
    {
        bool knownSize = layout == "known";
        var mlContext = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, Rows)
            .Select(_ => new Row { Sequence = [.. Enumerable.Range(0, Steps).Select(_ => (float)(random.NextDouble() * 2 - 1))] })
            .ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        if (knownSize)
        {
            schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        }
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        using var featurizer = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 64, seed: 1),
            new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden, BatchSize = batchSize }).Fit(data);
        long before = Process.GetCurrentProcess().PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        long count = Consume.All(featurizer.Transform(data), "Features");
        watch.Stop();
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"## {Rows} rows of {Steps:N0} steps, H = 64, {(knownSize ? "known-size" : "variable-size")} column: {count} rows in {watch.Elapsed.TotalSeconds:F1} s, " +
            $"{featurizer.OnnxRuntimeCalls} ONNX Runtime calls, at most {featurizer.LargestOnnxRuntimeCallSteps / Steps} rows a call, " +
            $"peak working set {process.PeakWorkingSet64 / 1e6:F0} MB (before the pass: {before / 1e6:F0} MB)");
    }

    private sealed class Row
    {
        public float[] Sequence { get; set; } = [];
    }
}
