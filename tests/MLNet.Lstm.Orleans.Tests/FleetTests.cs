using System.Collections.Concurrent;
using Orleans.TestingHost;

namespace MLNet.Lstm.Orleans.Tests;

/// <summary>
/// A fleet of series on a 3-silo cluster: every point scored once in order, or again from the
/// last checkpoint after a silo fails, always with the scores one uninterrupted engine gives.
/// </summary>
[TestClass]
public sealed class FleetTests
{
    private const int Points = 200;
    private const int Batch = 20;

    private static float[] Series(int series) =>
        [.. Enumerable.Range(0, Points).Select(t => MathF.Sin(0.2f * t + series) + 0.1f * MathF.Cos(1.7f * t * (1 + series % 7)))];

    // What one engine in one process gives the series, point by point.
    private static float[] Expected(float[] values)
    {
        using var engine = FleetCluster.Model.CreateTimeSeriesEngine();
        return [.. values.Select(v => engine.Predict(v).Score)];
    }

    private static string TempDatabase() => Path.Combine(Path.GetTempPath(), $"lstm-fleet-{Guid.NewGuid():N}.db");

    /// <summary>
    /// Streams a series batch by batch as a client should: a failed call is retried; a gap (the
    /// series failed over to its last checkpoint) resends from where the series now is.
    /// </summary>
    private static async Task Stream(IClusterClient client, string key, float[] values, int from, int to, ConcurrentDictionary<(string, long), List<float>> scored)
    {
        var grain = client.GetGrain<ILstmSeriesGrain>(key);
        long next = from;
        int failures = 0;
        while (next < to)
        {
            int count = (int)Math.Min(Batch, to - next);
            try
            {
                var result = await grain.Score(next, values[(int)next..((int)next + count)]);
                for (int i = 0; i < result.Scores.Length; i++)
                {
                    scored.GetOrAdd((key, result.FirstScored + i), _ => []).Add(result.Scores[i]);
                }
                next = result.NextSequence;
            }
            catch (LstmSequenceGapException gap)
            {
                next = gap.Expected;
            }
            catch (Exception) when (++failures < 50)
            {
                await Task.Delay(200);
            }
        }
    }

    [TestMethod]
    public async Task AThousandSeriesStreamedWhileASiloIsKilledScoreAsOneUninterruptedEngine()
    {
        const int seriesCount = 1000;
        string database = TempDatabase();
        var cluster = await FleetCluster.Start(database, checkpointEvery: 60);
        try
        {
            var scored = new ConcurrentDictionary<(string, long), List<float>>();
            var values = Enumerable.Range(0, seriesCount).Select(Series).ToArray();
            using var gate = new SemaphoreSlim(64);
            async Task Run(int s, int from, int to)
            {
                await gate.WaitAsync();
                try
                {
                    await Stream(cluster.Client, $"series-{s}", values[s], from, to, scored);
                }
                finally
                {
                    gate.Release();
                }
            }

            await Task.WhenAll(Enumerable.Range(0, seriesCount).Select(s => Run(s, 0, Points / 2)));
            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            await Task.WhenAll(Enumerable.Range(0, seriesCount).Select(s => Run(s, Points / 2, Points)));

            int rescored = 0;
            double largest = 0;
            for (int s = 0; s < seriesCount; s++)
            {
                float[] expected = Expected(values[s]);
                for (int t = 0; t < Points; t++)
                {
                    Assert.IsTrue(scored.TryGetValue(($"series-{s}", t), out var scores), $"series-{s} point {t} was never scored");
                    rescored += scores.Count - 1;
                    foreach (float score in scores)
                    {
                        largest = Math.Max(largest, Math.Abs(score - expected[t]));
                    }
                }
            }
            Console.WriteLine($"{seriesCount} series × {Points} points; {rescored} points scored again after the silo's death; largest difference {largest:G3}");
            Assert.IsLessThanOrEqualTo(1e-6, largest);
            // The killed silo held about a third of the series; each lost up to CheckpointEvery − 1 points (here at most 40: 100 points read, checkpoint at 60).
            Assert.IsGreaterThan(0, rescored);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            File.Delete(database);
        }
    }
}
