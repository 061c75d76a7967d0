using System.Diagnostics;

namespace MLNet.Lstm.Training;

/// <summary>
/// Where training time goes, for the benchmark's profile (BENCHMARKS.md): per phase, the
/// stopwatch ticks every thread spent in it. Off unless the benchmark turns it on; when off a
/// phase costs one static read.
/// </summary>
internal static class TrainingProfile
{
    public enum Phase
    {
        InputProjectionGemm,
        RecurrentGemm,
        GatesForward,
        Head,
        GatesBackward,
        RecurrentGemmBackward,
        WeightGradientGemm,
        InputGradientGemm,
        BatchAssembly,
        ShardGradientSum,
        OptimizerStep,
        WeightRefresh,
    }

    private static readonly long[] Ticks = new long[Enum.GetValues<Phase>().Length];

    public static bool Enabled { get; set; }

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void Stop(Phase phase, long start)
    {
        if (Enabled)
        {
            Interlocked.Add(ref Ticks[(int)phase], Stopwatch.GetTimestamp() - start);
        }
    }

    public static void Reset() => Array.Clear(Ticks);

    /// <summary>Seconds spent in each phase since <see cref="Reset"/>, summed over threads.</summary>
    public static IReadOnlyList<(Phase Phase, double Seconds)> Seconds() =>
        [.. Enum.GetValues<Phase>().Select(p => (p, (double)Interlocked.Read(ref Ticks[(int)p]) / Stopwatch.Frequency))];
}
