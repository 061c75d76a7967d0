using System.Diagnostics;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Streaming scoring: <see cref="LstmTimeSeriesEngine.Predict(float)"/> in a loop over a whole
/// series on one thread (one LSTM step and one ONNX Runtime call per point), training excluded.
/// Median points/s of 5 passes after a warm-up pass, each pass on a fresh engine.
/// </summary>
internal static class StreamingBenchmark
{
    public static void Run(bool quick)
    {
        Console.WriteLine("## streaming scoring (LstmTimeSeriesEngine.Predict, one thread, one point per call)");
        Console.WriteLine("| model | points per pass | points/s (median) | µs per point |");
        Console.WriteLine("|---|---:|---:|---:|");
        int points = quick ? 5_000 : 20_000;
        Measure("F 1, H 64, 1 layer (the NAB detector's forecaster)", LstmModel.CreateRandom(1, 64, 1, outputSize: 1, seed: 1), points);
        Measure("F 1, H 64, 2 layers", LstmModel.CreateRandom(1, 64, 2, outputSize: 1, seed: 1), points);
        Measure("F 8, H 128, 2 layers", LstmModel.CreateRandom(8, 128, 2, outputSize: 8, seed: 1), points);
        Console.WriteLine();
    }

    private static void Measure(string name, LstmModel model, int points)
    {
        var random = new Random(1);
        var series = new float[points][];
        for (int t = 0; t < points; t++)
        {
            series[t] = new float[model.InputSize];
            for (int f = 0; f < model.InputSize; f++)
            {
                series[t][f] = MathF.Sin(t * 0.05f + f) + (float)random.NextDouble() * 0.1f;
            }
        }
        var rates = new List<double>();
        for (int pass = 0; pass < 6; pass++)
        {
            using var engine = model.CreateTimeSeriesEngine();
            var watch = Stopwatch.StartNew();
            float sum = 0;
            foreach (var point in series)
            {
                sum += engine.Predict(point).Score;
            }
            watch.Stop();
            GC.KeepAlive(sum);
            if (pass > 0)
            {
                rates.Add(points / watch.Elapsed.TotalSeconds);
            }
        }
        rates.Sort();
        double median = rates[rates.Count / 2];
        Console.WriteLine($"| {name} | {points:N0} | {median:N0} | {1e6 / median:F1} |");
    }
}
