using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using MLNet.Lstm.Examples.WebService;

namespace MLNet.Lstm.Tests.Support;

/// <summary>
/// The web service's load: concurrent clients posting one sequence per request to <c>/score</c>,
/// timed client side. Shared by WebServiceTests and the benchmark's --web mode, so both run the same load.
/// Request i sends sequence i mod the count; the first <paramref name="WarmUpRequests"/> run
/// first, then the working set is read, then the rest.
/// </summary>
/// <param name="Clients">Concurrent clients, each with a request in flight at all times.</param>
/// <param name="Requests">Requests in all, over every client.</param>
/// <param name="WarmUpRequests">Requests before the first working-set reading.</param>
internal sealed record ScoringLoad(int Clients, int Requests, int WarmUpRequests)
{
    /// <summary>The load: 16 clients × 2,000 requests, the baseline read after the first 1,000.</summary>
    public static readonly ScoringLoad Standard = new(Clients: 16, Requests: 16 * 2_000, WarmUpRequests: 1_000);

    /// <summary>Sends the load to <paramref name="client"/>'s service, one pre-serialized body per sequence.</summary>
    public async Task<LoadResult> RunAsync(HttpClient client, IReadOnlyList<float[]> sequences)
    {
        var bodies = sequences.Select(s => JsonSerializer.SerializeToUtf8Bytes(new { sequence = s })).ToArray();
        var scores = new float[Requests];
        var seconds = new double[Requests];
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        await Phase(0, WarmUpRequests);
        var warm = clock.Elapsed;
        long workingSetAfterWarmUp = WorkingSet();
        clock.Restart();
        await Phase(WarmUpRequests, Requests);
        var rest = clock.Elapsed;
        long workingSetAfter = WorkingSet();
        Array.Sort(seconds);
        return new LoadResult(Requests, errors, scores, warm + rest, seconds[Requests / 2], seconds[(int)(Requests * 0.99)], workingSetAfterWarmUp, workingSetAfter);

        Task Phase(int from, int to)
        {
            int next = from - 1;
            return Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                for (int i = Interlocked.Increment(ref next); i < to; i = Interlocked.Increment(ref next))
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        using var response = await client.PostAsync("/score", content);
                        var body = await response.Content.ReadAsByteArrayAsync();
                        if (!response.IsSuccessStatusCode)
                        {
                            throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
                        }
                        scores[i] = JsonSerializer.Deserialize<ScoreResult>(body, JsonSerializerOptions.Web)!.Score;
                    }
                    catch (Exception e)
                    {
                        scores[i] = float.NaN;
                        lock (errors)
                        {
                            errors.Add($"request {i}: {e.Message}");
                        }
                    }
                    finally
                    {
                        seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    }
                }
            })));
        }
    }

    /// <summary>The process's working set after a full, compacting collection, so garbage not yet collected does not count.</summary>
    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

/// <summary>What a <see cref="ScoringLoad"/> run measured.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="Errors">One line per request that failed or got a status other than 2xx.</param>
/// <param name="Scores">Each request's score, by request index (NaN for a failed one).</param>
/// <param name="Elapsed">Time sending requests, both phases, the working-set reading excluded.</param>
/// <param name="P50">Median request latency, seconds, client side.</param>
/// <param name="P99">99th-percentile request latency, seconds, client side.</param>
/// <param name="WorkingSetAfterWarmUp">Working set after the warm-up requests, bytes.</param>
/// <param name="WorkingSetAfter">Working set after every request, bytes.</param>
internal sealed record LoadResult(int Requests, IReadOnlyList<string> Errors, float[] Scores, TimeSpan Elapsed, double P50, double P99,
    long WorkingSetAfterWarmUp, long WorkingSetAfter)
{
    /// <summary>Requests per second over both phases.</summary>
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>One line with every figure.</summary>
    public override string ToString() =>
        $"{Requests:N0} requests in {Elapsed.TotalSeconds:F1} s: {RequestsPerSecond:N0} requests/s, p50 {P50 * 1e3:F2} ms, p99 {P99 * 1e3:F2} ms, " +
        $"{Errors.Count} errors, working set {WorkingSetAfterWarmUp / 1e6:F0} MB after warm-up → {WorkingSetAfter / 1e6:F0} MB at the end";
}
