// Sequence classification on three UCR/UEA data sets (official TRAIN/TEST splits) with the
// plainest pipeline: MapValueToKey, the featurizer trained in .NET with every default
// (Classification objective), a cache, SdcaMaximumEntropy; beside the same pipeline on an
// untrained (random) LSTM and published results. The whole 27-set suite is the benchmark's
// `-- --ucr` (BENCHMARKS.md).
using System.Diagnostics;
using MLNet.Lstm.Examples;

string data = Path.Combine(AppContext.BaseDirectory, "data", "ucr");
var published = new Dictionary<string, string>
{
    ["GunPoint"] = "0.907 | 1.000 | 1.000 / 1.000 | 1.000",
    ["BasicMotions"] = "0.975 (DTW-D) | 1.000 | 1.000 / — | —",
    ["JapaneseVowels"] = "— | — | — / 0.993 | —",
};
Console.WriteLine("| set | trained LSTM featurizer | random LSTM featurizer | 1-NN DTW | ROCKET | InceptionTime / FCN | LSTM-FCN | seconds |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var set in UcrSet.All)
{
    var clock = Stopwatch.StartNew();
    double trained = set.Accuracy(data, train: true);
    double random = set.Accuracy(data, train: false);
    Console.WriteLine($"| {set.Name} | {trained:F3} | {random:F3} | {published[set.Name]} | {clock.Elapsed.TotalSeconds:F0} |");
}
