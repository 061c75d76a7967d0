using System.Diagnostics;
using MLNet.Lstm.Training;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// The training GEMM kernel on the shapes a seed-sized (H 64) and a larger (H 128) training step
/// multiplies, one thread: median GFLOP/s of 7 rounds after a warm-up pass over every shape.
/// </summary>
internal static class GemmBenchmark
{
    public static void Run()
    {
        var random = new Random(1);
        float[] Matrix(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
        (string Name, int M, int K, int N, bool TransposedA)[] shapes =
        [
            ("recurrent step, 32 rows × H 64 → 4H", 32, 64, 256, false),
            ("input projection, 1,600 rows × 64 → 256", 1600, 64, 256, false),
            ("weight gradient, Aᵀ 256 × 1,600 × 64", 256, 1600, 64, true),
            ("recurrent step, 32 rows × H 128 → 4H", 32, 128, 512, false),
            ("state gradient, 32 × 256 → 64", 32, 256, 64, false),
            ("input gradient, 1,600 rows × 256 → 64", 1600, 256, 64, false),
            ("first layer's input projection, 1,600 rows × F 1 → 256", 1600, 1, 256, false),
            ("first layer's input weight gradient, Aᵀ 256 × 1,600 × F 1", 256, 1600, 1, true),
            ("first layer's input weight gradient, Aᵀ 512 × 3,200 × F 3", 512, 3200, 3, true),
        ];
        Console.WriteLine($"## training GEMM kernel, one thread ({(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512" : "256")}-bit)");
        Console.WriteLine("| shape (M × K × N) | GFLOP/s |");
        Console.WriteLine("|---|---:|");
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var (name, m, k, n, transposed) in shapes)
            {
                var a = Matrix(m * k);
                var b = Matrix(k * n);
                var c = new float[m * n];
                long flops = 2L * m * k * n;
                int repetitions = (int)Math.Max(10, 2e9 / flops);
                var seconds = new List<double>();
                for (int round = 0; round < (pass == 0 ? 1 : 7); round++)
                {
                    var clock = Stopwatch.StartNew();
                    for (int r = 0; r < repetitions; r++)
                    {
                        if (transposed)
                        {
                            Gemm.MultiplyTransposedA(a, b, c, m, k, n);
                        }
                        else
                        {
                            Gemm.Multiply(a, b, c, m, k, n);
                        }
                    }
                    seconds.Add(clock.Elapsed.TotalSeconds);
                }
                if (pass == 1)
                {
                    seconds.Sort();
                    Console.WriteLine($"| {name} | {flops * repetitions / seconds[3] / 1e9:F1} |");
                }
            }
        }
        Console.WriteLine();
    }
}
