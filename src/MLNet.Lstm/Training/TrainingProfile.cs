using System.Diagnostics;

namespace MLNet.Lstm.Training;

/// <summary>
/// Where training time goes, for the benchmark's profile (BENCHMARKS.md): per phase, the
/// stopwatch ticks every thread spent in it. A trainer given one (<see cref="LstmTrainingOptions.Profile"/>)
/// times its phases into it; without one, each phase costs the hot loop a null check.
/// </summary>
internal sealed class TrainingProfile
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

    private readonly long[] _ticks = new long[Enum.GetValues<Phase>().Length];

    /// <summary>The time a phase starts, for <see cref="Stop"/>.</summary>
    public long Start() => Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="start"/> to <paramref name="phase"/>; threads may call it at once.</summary>
    public void Stop(Phase phase, long start) => Interlocked.Add(ref _ticks[(int)phase], Stopwatch.GetTimestamp() - start);

    public void Reset()
    {
        for (int i = 0; i < _ticks.Length; i++)
        {
            Interlocked.Exchange(ref _ticks[i], 0);
        }
    }

    /// <summary>Seconds spent in each phase since <see cref="Reset"/>, summed over threads.</summary>
    public IReadOnlyList<(Phase Phase, double Seconds)> Seconds() =>
        [.. Enum.GetValues<Phase>().Select(p => (p, (double)Interlocked.Read(ref _ticks[(int)p]) / Stopwatch.Frequency))];
}
