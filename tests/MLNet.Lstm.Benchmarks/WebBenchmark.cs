using MLNet.Lstm.Examples.WebService;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// examples/WebService under WebServiceTests' load (16 clients × 2,000 requests of one sequence each),
/// service and clients in this one process on 127.0.0.1, latency measured client side.
/// </summary>
internal static class WebBenchmark
{
    public static async Task RunAsync()
    {
        string folder = Directory.CreateTempSubdirectory("lstm-web-benchmark").FullName;
        try
        {
            string zip = Path.Combine(folder, "model.zip");
            DemoModel.TrainAndSave(zip);
            await using var app = ScoringApp.Build([], zip, port: 0);
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            var load = ScoringLoad.Standard;

            var result = await load.RunAsync(client, [.. DemoModel.Sequences(200, seed: 2)]);

            Console.WriteLine($"## web service (examples/WebService, demo model: F 1, H 64, 2 layers, T {DemoModel.Steps}; {load.Clients} clients × {load.Requests / load.Clients:N0} requests, one sequence each)");
            Console.WriteLine($"| requests/s | p50 | p99 | errors | working set after {load.WarmUpRequests:N0} requests | working set after {load.Requests:N0} |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {result.RequestsPerSecond:N0} | {result.P50 * 1e3:F2} ms | {result.P99 * 1e3:F2} ms | {result.Errors.Count} | {result.WorkingSetAfterWarmUp / 1e6:F0} MB | {result.WorkingSetAfter / 1e6:F0} MB |");
            Console.WriteLine();
            foreach (string error in result.Errors.Take(5))
            {
                Console.WriteLine(error);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
