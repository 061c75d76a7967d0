using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Variable-length rows (a variable-size column) against fixed-length rows of their mean length:
/// featurizer steps per second, same model, same number of steps in all. The featurizer groups a
/// batch's rows by length, one ONNX Runtime call per distinct length.
/// </summary>
internal static class VariableLengthBenchmark
{
    public static void Run(bool quick)
    {
        var model = LstmModel.CreateRandom(1, 64, 2, seed: 1);
        int rows = quick ? 4_000 : 20_000;
        Console.WriteLine("## variable lengths (F 1, H 64, 2 layers, LastMeanMax): steps/s, variable-size column vs fixed length of the mean");
        Console.WriteLine("| lengths | rows | variable steps/s | fixed steps/s (mean length) | variable / fixed |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (low, high) in new[] { (5, 50), (10, 200) })
        {
            var random = new Random(1);
            var lengths = Enumerable.Range(0, rows).Select(_ => random.Next(low, high + 1)).ToArray();
            int mean = (int)Math.Round(lengths.Average());
            var variable = Measure(model, lengths, knownSize: false);
            var fixedLength = Measure(model, [.. Enumerable.Repeat(mean, rows)], knownSize: true);
            Console.WriteLine($"| {low}–{high} | {rows:N0} | {variable:N0} | {fixedLength:N0} | {variable / fixedLength:F2} |");
        }
        Console.WriteLine();
    }

    /// <summary>Median steps/s of 5 passes after a warm-up, through the featurizer with its output cache off.</summary>
    private static double Measure(LstmModel model, int[] lengths, bool knownSize)
    {
        var mlContext = new MLContext(seed: 1);
        var random = new Random(2);
        var data = lengths.Select(length => new Row { Sequence = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))] }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        if (knownSize)
        {
            schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, lengths[0]);
        }
        var view = mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(data, schema));
        using var featurizer = mlContext.Transforms.LstmFeaturizeSequence(model, new LstmFeaturizerOptions { OutputCacheBytes = 0 }).Fit(view);
        var featurized = featurizer.Transform(view);
        long steps = lengths.Sum(l => (long)l);
        var rates = new List<double>();
        for (int pass = 0; pass < 6; pass++)
        {
            var clock = Stopwatch.StartNew();
            Consume.All(featurized, "Features");
            if (pass > 0)
            {
                rates.Add(steps / clock.Elapsed.TotalSeconds);
            }
            Thread.Sleep(250);
        }
        rates.Sort();
        return rates[rates.Count / 2];
    }

    private sealed class Row
    {
        public float[] Sequence { get; set; } = [];
    }
}
