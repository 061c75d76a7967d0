// Throughput of the LSTM featurizer beside ML.NET's ApplyOnnxModel and ONNX Runtime called
// directly, on the same rows and the same ONNX graph. Reports the median of 5 timed runs after
// one warm-up run. See BENCHMARKS.md for the command and the latest table.
//   dotnet run -c Release --project tests/MLNet.Lstm.Benchmarks [-- --quick] [-- --featurizer [seed|large|conv|kernels]] [-- --cache-forms [set]] [-- --batch-sweep] [-- --training] [-- --streaming] [-- --variable-lengths] [-- --gemm] [-- --web] [-- --ucr [--quick] [--set Name=Value] [--sets A,B] [--head]] [-- --transfer] [-- --minirocket [--sets A,B] [--features N] [--pool N]] [-- --feature-scale [--sets A,B] [--factors 1,0.1] [--lbfgs]]
//   dotnet run -c Release --project tests/MLNet.Lstm.Benchmarks -- --long-sequences known|variable [batch size]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;
using MLNet.Lstm;
using MLNet.Lstm.Benchmarks;

bool quick = args.Contains("--quick");
bool sweep = args.Contains("--batch-sweep");
bool trainingOnly = args.Contains("--training");
bool ucrOnly = args.Contains("--ucr");
bool streamingOnly = args.Contains("--streaming");
bool webOnly = args.Contains("--web");
var ucrSettings = args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
string? ucrSets = Value("--sets");
const int Runs = 5;
string? Value(string flag) => args.Select((a, i) => (a, i)).Where(p => p.a == flag && p.i + 1 < args.Length).Select(p => args[p.i + 1]).FirstOrDefault();

var cases = new[]
{
    new BenchmarkCase("seed (PyTorch seed_lstm: F=1, H=64, L=2, T=10)",
        LstmModel.FromOnnx(Path.Combine(AppContext.BaseDirectory, "seed_lstm.onnx")), LstmRepresentation.ModelOutput,
        Rows: quick ? 20_000 : 100_000, Steps: 10, LatencyRows: quick ? 500 : 5_000),
    new BenchmarkCase("large (CreateRandom(8, 128, 2), T=100)",
        LstmModel.CreateRandom(8, 128, 2, seed: 1), LstmRepresentation.LastHidden,
        Rows: quick ? 2_000 : 20_000, Steps: 100, LatencyRows: quick ? 50 : 500),
    new BenchmarkCase("conv (the trained default's shape: F=1, H=64, conv branch 32-64-32 of kernels 8-5-3, T=64)",
        BenchmarkCase.RandomConvModel(), LstmRepresentation.LastMeanMax,
        Rows: quick ? 5_000 : 50_000, Steps: 64, LatencyRows: quick ? 200 : 2_000),
    new BenchmarkCase("kernels (the trained default's shape since the kernel features: F=1, H=64, branch 32-64-128, 3,948 kernel features, standardized, T=128)",
        BenchmarkCase.RandomKernelModel(128), LstmRepresentation.LastMeanMax,
        Rows: quick ? 2_000 : 20_000, Steps: 128, LatencyRows: quick ? 100 : 1_000),
};

Console.WriteLine($"MLNet.Lstm benchmark, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {CpuName()}, .NET {Environment.Version}, {(quick ? "quick" : "full")} mode");
Console.WriteLine($"median of {Runs} runs after 1 warm-up; featurizer batch size: its default; ONNX Runtime intra-op threads {Environment.ProcessorCount} unless noted");
Console.WriteLine();
if (args.Select((a, i) => (a, i)).FirstOrDefault(p => p.a == "--long-sequences" && p.i + 1 < args.Length) is ("--long-sequences", int at))
{
    LongSequenceMemory.Run(args[at + 1], at + 2 < args.Length && int.TryParse(args[at + 2], out int rows) ? rows : 0);
    return;
}
if (webOnly)
{
    await WebBenchmark.RunAsync();
    return;
}
if (args.Contains("--minirocket"))
{
    MiniRocketBenchmark.Run(ucrSets?.Split(',') ?? [], int.Parse(Value("--features") ?? "10000", CultureInfo.InvariantCulture), int.Parse(Value("--pool") ?? "0", CultureInfo.InvariantCulture));
    return;
}
if (args.Contains("--feature-scale"))
{
    FeatureScaleProbe.Run(ucrSets?.Split(',') ?? [], (Value("--factors") ?? "1,0.3,0.1,0.03").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList(), args.Contains("--lbfgs"));
    return;
}
if (ucrOnly)
{
    UcrBenchmark.Run(quick, ucrSettings, ucrSets, args.Contains("--head"));
    return;
}
if (args.Contains("--transfer"))
{
    TransferBenchmark.Run(Path.Combine(AppContext.BaseDirectory, "data", "ucr-suite"));
    return;
}
if (args.Contains("--gemm"))
{
    GemmBenchmark.Run();
    return;
}
if (args.Contains("--variable-lengths"))
{
    VariableLengthBenchmark.Run(quick);
    return;
}
if (args.Select((a, i) => (a, i)).FirstOrDefault(p => p.a == "--cache-forms") is ("--cache-forms", int formsAt))
{
    UcrBenchmark.CacheForms(formsAt + 1 < args.Length && !args[formsAt + 1].StartsWith("--", StringComparison.Ordinal) ? args[formsAt + 1] : "SwedishLeaf");
    return;
}
if (args.Select((a, i) => (a, i)).FirstOrDefault(p => p.a == "--featurizer") is ("--featurizer", int featurizerAt))
{
    // An optional case name prefix (seed, large, conv, kernels) runs that case alone.
    string? only = featurizerAt + 1 < args.Length && !args[featurizerAt + 1].StartsWith("--", StringComparison.Ordinal) ? args[featurizerAt + 1] : null;
    foreach (var benchmark in cases.Where(c => only is null || c.Name.StartsWith(only, StringComparison.Ordinal)))
    {
        Run(benchmark);
    }
    return;
}
StreamingBenchmark.Run(quick);
if (streamingOnly)
{
    return;
}
TrainingBenchmark.Run(quick);
if (trainingOnly)
{
    return;
}
foreach (var benchmark in cases)
{
    Run(benchmark);
}
VariableLengthBenchmark.Run(quick);
if (sweep)
{
    foreach (var benchmark in cases)
    {
        Sweep(benchmark);
    }
}
Console.WriteLine($"peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");

void Run(BenchmarkCase benchmark)
{
    var mlContext = new MLContext(seed: 1);
    var data = benchmark.Data(mlContext);
    string graph = benchmark.SaveGraph();
    int steps = benchmark.Steps, features = benchmark.Model.InputSize;
    int batchSize = LstmDefaults.BatchSize(steps, benchmark.Model.HiddenSize * (benchmark.Model.Bidirectional ? 2 : 1));
    Console.WriteLine($"## {benchmark.Name}: {benchmark.Rows:N0} rows, {benchmark.FlopsPerSequence / 1e6:F2} MFLOP per sequence, batch size {batchSize}");

    using var featurizer = mlContext.Transforms.LstmFeaturizeSequence(benchmark.Model, benchmark.Options(0)).Fit(data);
    var featurized = featurizer.Transform(data);
    using var defaultFeaturizer = mlContext.Transforms.LstmFeaturizeSequence(benchmark.Model, benchmark.Options(0, cache: true)).Fit(data);
    var int8Options = benchmark.Options(0);
    int8Options.Precision = LstmPrecision.Int8;
    using var int8Featurizer = mlContext.Transforms.LstmFeaturizeSequence(benchmark.Model, int8Options).Fit(data);
    var int8Featurized = int8Featurizer.Transform(data);
    var onnxDefault = ApplyOnnx(mlContext, graph, steps, features, intraOpThreads: null).Transform(data);
    var onnxOneThread = ApplyOnnx(mlContext, graph, steps, features, intraOpThreads: 1).Transform(data);
    long allocated = 0;
    // Round-robin: on a shared machine the paths then see the same background load.
    var rates = MeasureRoundRobin(benchmark.Rows,
        () =>
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long rows = Consume.All(featurized, "Features");
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            return rows;
        },
        () => Consume.All(onnxDefault, OnnxNames.Features),
        () => Consume.All(onnxOneThread, OnnxNames.Features),
        () => DirectOrt.Run(graph, benchmark.Values, benchmark.Rows, steps, features, batchSize),
        () => Consume.All(int8Featurized, "Features"),
        // The default path, output cache on: a one-pass reader of a new input, as scoring and evaluation read.
        () => Consume.All(defaultFeaturizer.Transform(new FreshInput(data)), "Features"));
    var (median, p99) = Latency(mlContext, featurizer, benchmark);
    SgemmPeak.Sample(5);
    double largestInt8Difference = LargestDifference(featurized, int8Featurized, 2_000);

    double ours = rates[5], cacheOff = rates[0], direct = rates[3], best = Math.Max(rates[1], rates[2]);
    Console.WriteLine("| path | sequences/s | GFLOP/s |");
    Console.WriteLine("|---|---:|---:|");
    Row("(1) LstmFeaturizer in an ML.NET pipeline, defaults (one pass over a new input)", ours);
    Row("(1c) LstmFeaturizer, OutputCacheBytes = 0", cacheOff);
    Row("(2) ApplyOnnxModel, default threads", rates[1]);
    Row("(2) ApplyOnnxModel, IntraOpNumThreads = 1", rates[2]);
    Row($"(3) ONNX Runtime directly, batches of {batchSize}", direct);
    Row("(1q) LstmFeaturizer, Precision = Int8 (DynamicQuantizeLSTM)", rates[4]);
    Console.WriteLine();
    Console.WriteLine($"int8 / fp32 featurizer = {rates[4] / cacheOff:F2}; largest feature difference over the first 2,000 rows {largestInt8Difference:E2}");
    Console.WriteLine($"(1)/(2 best) = {ours / best:F2}   (1)/(3) = {ours / direct:F3}   (1c)/(3) = {cacheOff / direct:F3}   managed bytes allocated per row by (1c): {(double)allocated / benchmark.Rows:F2}");
    Console.WriteLine($"forward GFLOP/s as a fraction of this run's SGEMM peak ({SgemmPeak.Best:F1} GFLOP/s, best of {SgemmPeak.Samples}): featurizer {cacheOff * benchmark.FlopsPerSequence / 1e9 / SgemmPeak.Best:F2}, int8 featurizer {rates[4] * benchmark.FlopsPerSequence / 1e9 / SgemmPeak.Best:F2} (fp32-equivalent FLOPs)");
    Console.WriteLine($"(4) PredictionEngine single-row latency: median {median * 1e6:F0} µs, p99 {p99 * 1e6:F0} µs");
    Console.WriteLine();

    void Row(string path, double sequencesPerSecond) =>
        Console.WriteLine($"| {path} | {sequencesPerSecond:N0} | {sequencesPerSecond * benchmark.FlopsPerSequence / 1e9:F1} |");
}

/// <summary>The largest absolute difference between two views' Features over their first <paramref name="rows"/> rows.</summary>
static double LargestDifference(IDataView a, IDataView b, int rows)
{
    var left = a.GetColumn<float[]>("Features").Take(rows).ToArray();
    var right = b.GetColumn<float[]>("Features").Take(rows).ToArray();
    double largest = 0;
    for (int r = 0; r < left.Length; r++)
    {
        for (int c = 0; c < left[r].Length; c++)
        {
            largest = Math.Max(largest, Math.Abs(left[r][c] - right[r][c]));
        }
    }
    return largest;
}

/// <summary>Sequences per second of each path: one warm-up run each, then <see cref="Runs"/> rounds, median.</summary>
static double[] MeasureRoundRobin(int rows, params Func<long>[] paths)
{
    foreach (var path in paths)
    {
        long read = path();
        if (read != rows)
        {
            throw new InvalidOperationException($"read {read} rows, expected {rows}");
        }
    }
    var seconds = new double[paths.Length][];
    for (int p = 0; p < paths.Length; p++)
    {
        seconds[p] = new double[Runs];
    }
    for (int run = 0; run < Runs; run++)
    {
        for (int p = 0; p < paths.Length; p++)
        {
            // ONNX Runtime's worker threads spin a while after a run; let the last path's go quiet.
            Thread.Sleep(250);
            var clock = Stopwatch.StartNew();
            paths[p]();
            seconds[p][run] = clock.Elapsed.TotalSeconds;
        }
    }
    return seconds.Select(s =>
    {
        Array.Sort(s);
        return rows / s[Runs / 2];
    }).ToArray();
}

void Sweep(BenchmarkCase benchmark)
{
    var mlContext = new MLContext(seed: 1);
    var data = benchmark.Data(mlContext);
    int[] sizes = [16, 64, 128, 256, 512, 1024];
    var featurizers = sizes.Select(size => mlContext.Transforms.LstmFeaturizeSequence(benchmark.Model, benchmark.Options(size)).Fit(data)).ToArray();
    var rates = MeasureRoundRobin(benchmark.Rows, [.. featurizers.Select(f => (Func<long>)(() => Consume.All(f.Transform(data), "Features")))]);
    Console.WriteLine($"## batch size sweep, {benchmark.Name}: featurizer sequences/s");
    Console.WriteLine("| batch size | sequences/s |");
    Console.WriteLine("|---:|---:|");
    for (int i = 0; i < sizes.Length; i++)
    {
        Console.WriteLine($"| {sizes[i]} | {rates[i]:N0} |");
        featurizers[i].Dispose();
    }
    Console.WriteLine();
}

static ITransformer ApplyOnnx(MLContext mlContext, string graph, int steps, int features, int? intraOpThreads) =>
    mlContext.Transforms.ApplyOnnxModel(new OnnxOptions
    {
        ModelFile = graph,
        InputColumns = [OnnxNames.Input],
        OutputColumns = [OnnxNames.Features],
        ShapeDictionary = new Dictionary<string, int[]> { [OnnxNames.Input] = [1, steps, features] },
        IntraOpNumThreads = intraOpThreads,
    }).Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<BenchmarkRow>(), BenchmarkCase.Schema(steps * features)));

static (double Median, double P99) Latency(MLContext mlContext, LstmFeaturizerTransformer featurizer, BenchmarkCase benchmark)
{
    int length = benchmark.Steps * benchmark.Model.InputSize;
    using var engine = mlContext.Model.CreatePredictionEngine<BenchmarkRow, FeaturesRow>(featurizer,
        new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = BenchmarkCase.Schema(length) });
    var row = new BenchmarkRow { input = new float[length] };
    var seconds = new double[benchmark.LatencyRows];
    for (int warmUp = 0; warmUp < 20; warmUp++)
    {
        engine.Predict(row);
    }
    for (int i = 0; i < seconds.Length; i++)
    {
        benchmark.Values.AsSpan((i % benchmark.Rows) * length, length).CopyTo(row.input);
        long start = Stopwatch.GetTimestamp();
        engine.Predict(row);
        seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
    Array.Sort(seconds);
    return (seconds[seconds.Length / 2], seconds[(int)(seconds.Length * 0.99)]);
}

static string CpuName()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
    catch (IOException)
    {
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}

