using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Evaluation;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Transfer on the UCR suite: an LSTM pretrained without labels (NextStep) on the training series
/// of the other sets, then fine-tuned per set (<see cref="LstmTrainingOptions.InitialModel"/>),
/// against training from scratch on the same input. Two folds (sets at even and odd rows of
/// references.csv), so no set's own series are in its encoder's pretraining. A pretrained model
/// keeps its preprocessing, so every series is resampled to <see cref="Length"/> steps and
/// standardized on its own, in every arm alike. Reported on the small sets (at most 50 training rows).
/// </summary>
internal static class TransferBenchmark
{
    private const int Length = 64;
    private const int SmallSet = 50;

    public static void Run(string folder)
    {
        var names = File.ReadLines(Path.Combine(folder, "references.csv")).Skip(1).Select(line => line.Split(',')[0]).ToList();
        var sets = names.Select(name => (Name: name, Train: Read(folder, name, "TRAIN"), Test: Read(folder, name, "TEST"))).ToList();
        Console.WriteLine($"## Transfer: NextStep pretraining on the other sets' training series, fine-tuned per set (series resampled to {Length} steps, each standardized)");
        Console.WriteLine();
        Console.WriteLine("| set | train rows | from scratch, defaults | from scratch, no conv branch | pretrained LSTM, fine-tuned |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var clock = Stopwatch.StartNew();
        var results = new List<(double Scratch, double NoConv, double FineTuned)>();
        for (int fold = 0; fold < 2; fold++)
        {
            var corpus = sets.Where((_, i) => i % 2 != fold).SelectMany(s => s.Train.Series).ToList();
            var ml = new MLContext(seed: 1);
            using var pretraining = ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.NextStep, MaxSteps = null })
                .Fit(View(ml, corpus.Select(s => (s, "")).ToList()));
            Console.WriteLine($"| (fold {fold}: pretrained on {corpus.Count} series of {sets.Count(s => sets.IndexOf(s) % 2 != fold)} sets in {clock.Elapsed.TotalSeconds:F0} s) | | | | |");
            foreach (var (name, train, test) in sets.Where((s, i) => i % 2 == fold && s.Train.Series.Count <= SmallSet))
            {
                double scratch = Accuracy(train, test, new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" });
                double noConv = Accuracy(train, test, new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [] });
                double fineTuned = Accuracy(train, test, new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", InitialModel = pretraining.Model });
                results.Add((scratch, noConv, fineTuned));
                Console.WriteLine($"| {name} | {train.Series.Count} | {scratch:F3} | {noConv:F3} | {fineTuned:F3} |");
            }
        }
        Console.WriteLine($"| mean of {results.Count} small sets | | {results.Average(r => r.Scratch):F3} | {results.Average(r => r.NoConv):F3} | {results.Average(r => r.FineTuned):F3} |");
        Console.WriteLine();
        Console.WriteLine($"fine-tuned vs no conv branch: {100 * results.Average(r => r.FineTuned - r.NoConv):+0.0;-0.0} points, better on {results.Count(r => r.FineTuned > r.NoConv)}, worse on {results.Count(r => r.FineTuned < r.NoConv)}; " +
            $"vs the defaults: {100 * results.Average(r => r.FineTuned - r.Scratch):+0.0;-0.0} points; {clock.Elapsed.TotalMinutes:F1} minutes");
        Console.WriteLine();
    }

    private static double Accuracy(Split train, Split test, LstmTrainingOptions training)
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LstmFeaturizeSequence(training))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Fit(View(ml, train.Series.Zip(train.Labels).ToList()));
        return ml.MulticlassClassification.Evaluate(model.Transform(View(ml, test.Series.Zip(test.Labels).ToList()))).MicroAccuracy;
    }

    private sealed record Split(List<float[]> Series, List<string> Labels);

    /// <summary>A split's univariate series, each resampled to <see cref="Length"/> steps (linear interpolation) and standardized.</summary>
    private static Split Read(string folder, string name, string split)
    {
        var file = TimeSeriesFile.Read(UcrBenchmark.SetFile(folder, name, split));
        var series = new List<float[]>();
        var labels = new List<string>();
        for (int i = 0; i < file.Sequences.Count; i++)
        {
            if (file.Channels == 1 && file.Sequences[i].Length > 1)
            {
                series.Add(Standardized(Resampled(file.Sequences[i])));
                labels.Add(file.Labels[i]);
            }
        }
        return new Split(series, labels);
    }

    private static float[] Resampled(float[] series)
    {
        var result = new float[Length];
        for (int t = 0; t < Length; t++)
        {
            double at = t * (series.Length - 1.0) / (Length - 1);
            int left = Math.Min((int)at, series.Length - 2);
            double share = at - left;
            result[t] = (float)(series[left] * (1 - share) + series[left + 1] * share);
        }
        return result;
    }

    private static float[] Standardized(float[] series)
    {
        double mean = series.Average(), deviation = Math.Sqrt(series.Average(v => (v - mean) * (v - mean)));
        return [.. series.Select(v => (float)((v - mean) / (deviation > 1e-8 ? deviation : 1)))];
    }

    private static IDataView View(MLContext ml, List<(float[] Series, string Label)> rows)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Length);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Sequence = r.Series, Label = r.Label }).ToList(), schema);
    }

    private sealed class Row
    {
        public float[] Sequence { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
