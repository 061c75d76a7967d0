using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Training throughput of the .NET trainer: sequences per second over whole epochs
/// (classification, Adam, batch 64), and GFLOP/s counting forward + backward as 3× the forward FLOPs.
/// </summary>
internal static class TrainingBenchmark
{
    public static void Run(bool quick)
    {
        Console.WriteLine("## training (classification, batch 64, Adam): sequences/s per epoch");
        Console.WriteLine("| model | sequences | epoch seconds (median) | sequences/s | GFLOP/s (fwd+bwd = 3× fwd) | of the run's SGEMM peak |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Measure("seed-sized (F 1, H 64, 2 layers, T 50)", inputSize: 1, hidden: 64, layers: 2, steps: 50, rows: quick ? 1000 : 2000, epochs: quick ? 4 : 5);
        Measure("larger (F 3, H 128, 2 layers, T 100)", inputSize: 3, hidden: 128, layers: 2, steps: 100, rows: quick ? 256 : 512, epochs: quick ? 3 : 3);
        foreach (var (name, profile, wall) in Profiles)
        {
            Console.WriteLine();
            Console.WriteLine($"profile, {name}: thread-seconds per epoch by phase, epochs after the first (2 shards run in parallel; wall {wall:F3} s per epoch)");
            Console.WriteLine("| phase | seconds per epoch | share |");
            Console.WriteLine("|---|---:|---:|");
            double total = profile.Sum(p => p.Seconds);
            foreach (var (phase, seconds) in profile.OrderByDescending(p => p.Seconds))
            {
                Console.WriteLine($"| {phase} | {seconds:F4} | {seconds / total:P1} |");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"SGEMM peak of this run (ONNX Runtime MatMul 1024³, {Environment.ProcessorCount} threads, best of {SgemmPeak.Samples}): {SgemmPeak.Best:F1} GFLOP/s");
        Console.WriteLine();
    }

    private static readonly List<(string Name, List<(string Phase, double Seconds)> Profile, double Wall)> Profiles = [];

    private static void Measure(string name, int inputSize, int hidden, int layers, int steps, int rows, int epochs)
    {
        var mlContext = new MLContext(seed: 1);
        var random = new Random(1);
        var data = Enumerable.Range(0, rows).Select(n => new LabelledRow
        {
            Sequence = [.. Enumerable.Range(0, steps * inputSize).Select(_ => (float)(random.NextDouble() * 2 - 1))],
            Label = (uint)(n % 2),
        }).ToArray();
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(LabelledRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps * inputSize);
        schema[nameof(LabelledRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), 2);
        var view = mlContext.Data.LoadFromEnumerable(data, schema);

        var seconds = new List<double>();
        var profile = new Training.TrainingProfile();
        var training = new LstmTrainingOptions
        {
            Objective = LstmObjective.Classification,
            LabelColumnName = nameof(LabelledRow.Label),
            InputSize = inputSize,
            HiddenSize = hidden,
            NumLayers = layers,
            BatchSize = 64,
            Epochs = epochs,
            ValidationFraction = 0,
            EarlyStoppingPatience = null,
            // One LSTM of the whole hidden size, as PyTorch's: the default ensemble of two halves does half the FLOPs.
            EnsembleSize = 1,
            Dropout = 0,
            Progress = new EpochTimes(seconds, profile),
            Profile = profile,
        };
        SgemmPeak.Sample(3);
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(training).Fit(view);
        SgemmPeak.Sample(3);

        // The first epoch includes JIT compilation: it is left out.
        var epochSeconds = seconds.Zip(seconds.Prepend(0), (total, previous) => total - previous).Skip(1).Order().ToArray();
        double median = epochSeconds[epochSeconds.Length / 2];
        double flopsPerSequence = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            int input = layer == 0 ? inputSize : hidden;
            flopsPerSequence += 2.0 * 4 * hidden * (input + hidden) * steps;
        }
        double perSecond = rows / median;
        double gflops = perSecond * 3 * flopsPerSequence / 1e9;
        Profiles.Add((name, [.. profile.Seconds().Select(p => (p.Phase.ToString(), p.Seconds / (epochs - 1)))], (seconds[^1] - seconds[0]) / (epochs - 1)));
        Console.WriteLine($"| {name} | {rows:N0} | {median:F3} | {perSecond:N0} | {gflops:F1} | {gflops / SgemmPeak.Best:F2} |");
    }

    private sealed class EpochTimes(List<double> seconds, Training.TrainingProfile profile) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value)
        {
            seconds.Add(value.Elapsed.TotalSeconds);
            if (seconds.Count == 1)
            {
                // The first epoch runs partly unoptimised (tiered JIT) code: the profile starts after it.
                profile.Reset();
            }
        }
    }

    private sealed class LabelledRow
    {
        public float[] Sequence { get; set; } = [];

        public uint Label { get; set; }
    }
}
