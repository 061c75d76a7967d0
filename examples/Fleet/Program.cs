// A fleet of live series on Microsoft Orleans, silo and client in one process: one grain per
// series owns its streaming engine; the checkpoints go to an embedded SQLite file. A forecaster is
// trained once on one series' history, every series shares it, and each streams its own points in
// sequence-numbered batches. Prints points/s, the faults caught, memory, checkpoint cost and storage per series.
// Arguments: [series (default 2,000)] [points a series (default 500)].
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MLNet.Lstm;
using MLNet.Lstm.Orleans;

int seriesCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
int points = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
const int batch = 50;
string database = Path.Combine(Path.GetTempPath(), $"lstm-fleet-example-{Environment.ProcessId}.db");

// Machines of one kind: a daily-like cycle, each with its own phase, level and noise; every
// 100th machine (not the history's) develops a fault at 80 % of its points: its level jumps by 15.
int faultAt = points * 4 / 5;
bool Faulty(int s) => s >= 0 && s % 100 == 0;
float[] Series(int s)
{
    var random = new Random(s);
    float level = 50 + 10 * (float)random.NextDouble(), phase = (float)random.NextDouble() * 6.28f;
    return [.. Enumerable.Range(0, points).Select(t => level + 5 * MathF.Sin(0.05f * t + phase) + (float)random.NextDouble() + (Faulty(s) && t >= faultAt ? 15f : 0f))];
}

var mlContext = new MLContext(seed: 1);
var sw = Stopwatch.StartNew();
var model = ForecasterOf(mlContext, Series(-1));
Console.WriteLine($"Trained the fleet's forecaster on one series' {points} points in {sw.Elapsed.TotalSeconds:F1} s.");

using var host = Host.CreateDefaultBuilder()
    // A series' value range and error history start empty: a warm-up covering its cycle (126 points here)
    // keeps its first swings from looking new (with the default 50, 5,863 normal points scored ≥ 0.4).
    .UseOrleans(silo => silo.UseLocalhostClustering().AddLstmFleet(model, new LstmFleetOptions
    {
        SqlitePath = database,
        CheckpointEvery = 200,
        Scoring = new LstmTimeSeriesOptions { WarmUpPoints = 200 },
    }))
    .ConfigureLogging(logging => logging.ClearProviders())
    .Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<IClusterClient>();

var values = Enumerable.Range(0, seriesCount).Select(Series).ToArray();
long scored = 0, falseAlerts = 0;
int faultyAlerted = 0, faulty = Enumerable.Range(0, seriesCount).Count(Faulty);
GC.Collect();
long memoryBefore = Environment.WorkingSet;
sw.Restart();
await Parallel.ForEachAsync(Enumerable.Range(0, seriesCount), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (s, _) =>
{
    var grain = client.GetGrain<ILstmSeriesGrain>($"machine-{s}");
    bool alerted = false;
    for (int first = 0; first < points; first += batch)
    {
        var result = await grain.Score(first, values[s][first..Math.Min(points, first + batch)]);
        Interlocked.Add(ref scored, result.Scores.Length);
        for (int i = 0; i < result.Scores.Length; i++)
        {
            if (result.Scores[i] < 0.4f)
            {
                continue;
            }
            if (Faulty(s) && result.FirstScored + i >= faultAt)
            {
                alerted = true;
            }
            else
            {
                Interlocked.Increment(ref falseAlerts);
            }
        }
    }
    if (alerted)
    {
        Interlocked.Increment(ref faultyAlerted);
    }
});
double seconds = sw.Elapsed.TotalSeconds;
GC.Collect();
long memoryPerSeries = (Environment.WorkingSet - memoryBefore) / seriesCount;
// The cost of one checkpoint: the engine's state serialized and written to SQLite, one series at a time.
int sampled = Math.Min(200, seriesCount);
sw.Restart();
for (int s = 0; s < sampled; s++)
{
    await client.GetGrain<ILstmSeriesGrain>($"machine-{s}").CheckPoint();
}
double checkpointMs = sw.Elapsed.TotalMilliseconds / sampled;
await host.StopAsync();

long bytes = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);
Console.WriteLine($"Fleet: {seriesCount:N0} series, {scored:N0} points in {seconds:F1} s = {scored / seconds:N0} points/s on one silo ({Environment.ProcessorCount} cores).");
Console.WriteLine($"Alerts (score ≥ 0.4): {faultyAlerted} of the {faulty} faulty machines after their fault; {falseAlerts:N0} on normal points.");
Console.WriteLine($"Activations: {seriesCount:N0} (one per series), {memoryPerSeries / 1024:N0} KB of working set each; a checkpoint takes {checkpointMs:F2} ms; storage {bytes / 1024.0 / 1024.0:F1} MB = {bytes / seriesCount:N0} bytes per series.");
File.Delete(database);
File.Delete(database + "-wal");
File.Delete(database + "-shm");

// A next-step forecaster trained as CreateLstmDetector trains its own (windows of 48, 5 passes).
static LstmModel ForecasterOf(MLContext mlContext, float[] history)
{
    var windows = mlContext.Data.CreateSlidingWindows(history, 48);
    using var transformer = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.NextStep, Epochs = 5, MaxSteps = null, Seed = 1 }).Fit(windows);
    return transformer.Model;
}
