using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Out-of-the-box quality: the plainest pipeline (MapValueToKey, the featurizer trained with
/// every default, a cache, SdcaMaximumEntropy) on every set of the UCR suite, official splits,
/// beside 1-NN DTW and MiniRocket on the same splits; and the same pipeline on a random LSTM
/// as the floor. `--set Option=Value` changes one training option, to try it on the whole suite.
/// </summary>
internal static class UcrBenchmark
{
    /// <summary>Small, fast sets of different kinds for <c>--quick</c>.</summary>
    private static readonly string[] QuickSets = ["Coffee", "CBF", "Chinatown", "SonyAIBORobotSurface1", "Trace", "Meat"];

    /// <summary>The suite's first sets in references.csv, before 17 were added on 2026-12-04; reported apart so old and new figures compare.</summary>
    private const int FirstGroupSize = 27;

    /// <param name="head">Adds a column: the accuracy of the trained network's own head (the argmax of its ModelOutput), without SDCA.</param>
    public static void Run(bool quick, IReadOnlyList<string> settings, string? only, bool head = false)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "data", "ucr-suite");
        var references = References(folder)
            .Where(r => only is null ? !quick || QuickSets.Contains(r.Name) : only.Split(',').Contains(r.Name))
            .ToList();

        Console.WriteLine($"## UCR suite{(quick ? " (quick subset)" : "")}: the plain pipeline, every default{(settings.Count > 0 ? ", with " + string.Join(", ", settings) : "")}");
        Console.WriteLine();
        Console.WriteLine($"| set | train | test | length | classes | trained LSTM | same LSTM, int8 | random LSTM | 1-NN DTW | MiniRocket | training s |{(head ? " its own head |" : "")}");
        Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|{(head ? "---:|" : "")}");
        var clock = Stopwatch.StartNew();
        var results = new List<(Reference Set, double Trained, double Random, double Int8)>();
        foreach (var set in references)
        {
            var (trained, seconds, int8, ownHead) = Accuracy(folder, set.Name, train: true, settings, head);
            var (random, _, _, _) = Accuracy(folder, set.Name, train: false, settings, head: false);
            results.Add((set, trained, random, int8));
            Console.WriteLine($"| {set.Name} | {set.Train} | {set.Test} | {set.Length} | {set.Classes} | {trained:F3} | {int8:F3} | {random:F3} | {set.Dtw:F3} | {set.MiniRocket?.ToString("F3", CultureInfo.InvariantCulture) ?? "—"} | {seconds:F1} |{(head ? $" {ownHead:F3} |" : "")}");
        }
        Console.WriteLine();
        Console.WriteLine("| sets | trained LSTM | random LSTM | 1-NN DTW | at or above DTW | trained vs MiniRocket (sets it reports) | at or above MiniRocket |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Summary($"the first {FirstGroupSize} (the suite before 2026-12-04)", results.Where(r => r.Set.FirstGroup).ToList());
        Summary($"the {references.Count(r => !r.FirstGroup)} added on 2026-12-04", results.Where(r => !r.Set.FirstGroup).ToList());
        Summary($"all {results.Count}", results);
        Console.WriteLine();
        Console.WriteLine($"the same trained LSTMs featurizing in int8 (LstmPrecision.Int8, SDCA refitted on its features): mean {results.Average(r => r.Int8):F4} vs fp32 {results.Average(r => r.Trained):F4}, change {100 * (results.Average(r => r.Int8) - results.Average(r => r.Trained)):+0.00;-0.00} points");
        Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} minutes (training, featurizing and SDCA, both pipelines, and the int8 refit)");
        Console.WriteLine();
        CacheForms(folder, quick ? "CBF" : "SwedishLeaf");
    }

    /// <summary>Every set of the suite's references.csv, in its order.</summary>
    internal static IEnumerable<Reference> References(string folder) =>
        File.ReadLines(Path.Combine(folder, "references.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select((f, index) => new Reference(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture), f[3],
                int.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture),
                f[7].Length > 0 ? double.Parse(f[7], CultureInfo.InvariantCulture) : null, index < FirstGroupSize));

    /// <summary>One row of the means: accuracy of each pipeline and the baselines, and the sets at or above each baseline.</summary>
    private static void Summary(string name, List<(Reference Set, double Trained, double Random, double Int8)> results)
    {
        if (results.Count == 0)
        {
            return;
        }
        int atDtw = results.Count(r => AtOrAbove(r.Trained, r.Set.Dtw, r.Set.Test));
        var withRocket = results.Where(r => r.Set.MiniRocket is not null).ToList();
        int atRocket = withRocket.Count(r => AtOrAbove(r.Trained, r.Set.MiniRocket!.Value, r.Set.Test));
        string rocket = withRocket.Count == 0 ? "—"
            : $"{withRocket.Average(r => r.Trained):F3} vs {withRocket.Average(r => r.Set.MiniRocket!.Value):F3} ({withRocket.Count} sets)";
        Console.WriteLine($"| {name} | {results.Average(r => r.Trained):F3} | {results.Average(r => r.Random):F3} | {results.Average(r => r.Set.Dtw):F3} | " +
            $"{atDtw} of {results.Count} | {rocket} | {(withRocket.Count == 0 ? "—" : $"{atRocket} of {withRocket.Count}")} |");
    }

    /// <summary>
    /// Whether an accuracy reaches a reference's, compared as test rows right: references.csv
    /// rounds to 4 decimals, so a tie (Beef's 20 of 30, 0.66667, against DTW's 0.6667) would
    /// otherwise count as below.
    /// </summary>
    internal static bool AtOrAbove(double accuracy, double reference, int testRows) =>
        Math.Round(accuracy * testRows) >= Math.Round(reference * testRows);

    /// <summary>
    /// The pipeline's Fit with AppendCacheCheckpoint, without it (the featurizer's own output
    /// cache), and without either (OutputCacheBytes = 0: SDCA re-runs the LSTM on every pass).
    /// A random LSTM, so that training does not hide the featurizing passes.
    /// </summary>
    public static void CacheForms(string name) => CacheForms(Path.Combine(AppContext.BaseDirectory, "data", "ucr-suite"), name);

    private static void CacheForms(string folder, string name)
    {
        Console.WriteLine($"## The forgotten AppendCacheCheckpoint ({name}, random LSTM + SdcaMaximumEntropy, Fit seconds, median of 3)");
        Console.WriteLine();
        Console.WriteLine("| pipeline | Fit seconds | of the checkpointed pipeline's |");
        Console.WriteLine("|---|---:|---:|");
        double checkpointed = 0;
        foreach (var (form, checkpoint, cacheBytes) in new[]
        {
            ("featurizer, AppendCacheCheckpoint, trainer", true, (long?)null),
            ("featurizer, trainer (the featurizer's own output cache, default)", false, null),
            ("featurizer, trainer, OutputCacheBytes = 0 (no cache at all)", false, 0L),
        })
        {
            var seconds = new double[3];
            for (int run = 0; run < seconds.Length; run++)
            {
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromTsFile(SetFile(folder, name, "TRAIN"));
                var options = new LstmFeaturizerOptions();
                options.OutputCacheBytes = cacheBytes ?? options.OutputCacheBytes;
                var featurized = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 64, seed: 1), options));
                var clock = Stopwatch.StartNew();
                using var model = checkpoint
                    ? featurized.AppendCacheCheckpoint(ml).Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(data)
                    : featurized.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(data);
                seconds[run] = clock.Elapsed.TotalSeconds;
            }
            Array.Sort(seconds);
            checkpointed = checkpoint ? seconds[1] : checkpointed;
            Console.WriteLine($"| {form} | {seconds[1]:F2} | {seconds[1] / checkpointed:F2}× |");
        }
        Console.WriteLine();
    }

    /// <summary>
    /// Test accuracy of the plain pipeline, the seconds its Fit took, and the accuracy of the same
    /// pipeline with the trained LSTM featurizing in int8 (SDCA refitted on those features).
    /// </summary>
    private static (double Accuracy, double Seconds, double Int8, double Head) Accuracy(string folder, string name, bool train, IReadOnlyList<string> settings, bool head)
    {
        var ml = new MLContext(seed: 1);
        var trainData = ml.Data.LoadFromTsFile(SetFile(folder, name, "TRAIN"));
        var testData = ml.Data.LoadFromTsFile(SetFile(folder, name, "TEST"));
        var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" };
        foreach (var setting in settings)
        {
            Set(training, setting);
        }
        var featurizer = train
            ? ml.Transforms.LstmFeaturizeSequence(training)
            : ml.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, training.HiddenSize, seed: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(featurizer)
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        var clock = Stopwatch.StartNew();
        using var model = pipeline.Fit(trainData);
        double seconds = clock.Elapsed.TotalSeconds;
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(testData)).MicroAccuracy;
        if (!train)
        {
            return (accuracy, seconds, double.NaN, double.NaN);
        }
        var lstm = model.OfType<LstmFeaturizerTransformer>().Single().Model;
        double ownHead = head ? HeadAccuracy(ml, model.First().Transform(testData), lstm) : double.NaN;
        using var int8 = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LstmFeaturizeSequence(lstm, new LstmFeaturizerOptions { Precision = LstmPrecision.Int8 }))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Fit(trainData);
        return (accuracy, seconds, ml.MulticlassClassification.Evaluate(int8.Transform(testData)).MicroAccuracy, ownHead);
    }

    /// <summary>Test accuracy of the network's own head: the class whose ModelOutput is largest, against the label's key.</summary>
    private static double HeadAccuracy(MLContext ml, IDataView keyed, LstmModel lstm)
    {
        using var head = ml.Transforms.LstmFeaturizeSequence(lstm, new LstmFeaturizerOptions { Representation = LstmRepresentation.ModelOutput }).Fit(keyed);
        var scored = head.Transform(keyed);
        var labels = scored.GetColumn<uint>("Label").ToArray();
        var outputs = scored.GetColumn<float[]>("Features").ToArray();
        int right = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < outputs[i].Length; c++)
            {
                best = outputs[i][c] > outputs[i][best] ? c : best;
            }
            right += best == labels[i] - 1 ? 1 : 0;
        }
        return (double)right / labels.Length;
    }

    /// <summary>A split of a set: <c>.ts</c>, or gzipped <c>.ts.gz</c> (the sets added on 2026-12-04).</summary>
    internal static string SetFile(string folder, string name, string split)
    {
        string path = Path.Combine(folder, name, $"{name}_{split}.ts");
        return File.Exists(path) ? path : path + ".gz";
    }

    /// <summary>Sets one <see cref="LstmTrainingOptions"/> property from "Name=Value" ("ConvChannels=32:64:32" for an array, "ConvChannels=" for an empty one).</summary>
    private static void Set(LstmTrainingOptions training, string setting)
    {
        var (name, text) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
        var property = typeof(LstmTrainingOptions).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"LstmTrainingOptions has no property '{name}'.");
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        object? value = text == "null" ? null
            : type == typeof(int[]) ? text.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : type.IsEnum ? Enum.Parse(type, text)
            : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        property.SetValue(training, value);
    }

    /// <summary>A set of references.csv; <paramref name="FirstGroup"/>: among the first <see cref="FirstGroupSize"/>, the suite before 2026-12-04.</summary>
    internal sealed record Reference(string Name, int Train, int Test, string Length, int Classes, double Dtw, double? MiniRocket, bool FirstGroup);
}
