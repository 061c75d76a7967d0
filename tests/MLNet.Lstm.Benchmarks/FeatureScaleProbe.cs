using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// How the scale of the featurizer's standardized features sets what the plain pipeline's
/// SdcaMaximumEntropy learns (<see cref="LstmTrainingOptions.FeatureDeviation"/>): the LSTM is
/// trained once per set with every default but each feature standardized to deviation 1, its
/// features are multiplied by each factor (the deviation each feature then has), and SDCA (and,
/// with <c>--lbfgs</c>, LbfgsMaximumEntropy at 1 and at the last factor) is fitted on each copy.
/// </summary>
internal static class FeatureScaleProbe
{
    private sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public static void Run(IReadOnlyList<string> sets, IReadOnlyList<double> factors, bool lbfgs)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "data", "ucr-suite");
        var references = UcrBenchmark.References(folder).Where(r => sets.Count == 0 || sets.Contains(r.Name)).ToList();
        var header = string.Join(" | ", factors.Select(f => $"deviation {f.ToString(CultureInfo.InvariantCulture)}: accuracy | SDCA s"));
        Console.WriteLine($"| set | classes | features | {header} |{(lbfgs ? $" L-BFGS, deviation 1 | L-BFGS, deviation {factors[^1].ToString(CultureInfo.InvariantCulture)} |" : "")}");
        Console.WriteLine($"|---|---:|---:|{string.Concat(Enumerable.Repeat("---:|---:|", factors.Count))}{(lbfgs ? "---:|---:|" : "")}");
        var sums = new double[factors.Count];
        double lbfgsUnit = 0, lbfgsLast = 0;
        var seconds = new double[factors.Count];
        foreach (var set in references)
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromTsFile(UcrBenchmark.SetFile(folder, set.Name, "TRAIN"));
            var test = ml.Data.LoadFromTsFile(UcrBenchmark.SetFile(folder, set.Name, "TEST"));
            var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", FeatureDeviation = 1 };
            using var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.LstmFeaturizeSequence(training)).Fit(train);
            var (trainRows, classes, size) = Rows(model.Transform(train));
            var (testRows, _, _) = Rows(model.Transform(test));
            var line = new List<string>();
            for (int f = 0; f < factors.Count; f++)
            {
                var clock = Stopwatch.StartNew();
                double accuracy = Fit(ml, trainRows, testRows, size, (float)factors[f], lbfgs: false);
                seconds[f] += clock.Elapsed.TotalSeconds;
                sums[f] += accuracy;
                line.Add($"{accuracy:F3} | {clock.Elapsed.TotalSeconds:F1}");
            }
            string lbfgsColumns = "";
            if (lbfgs)
            {
                double unit = Fit(ml, trainRows, testRows, size, 1, lbfgs: true), last = Fit(ml, trainRows, testRows, size, (float)factors[^1], lbfgs: true);
                (lbfgsUnit, lbfgsLast) = (lbfgsUnit + unit, lbfgsLast + last);
                lbfgsColumns = $" {unit:F3} | {last:F3} |";
            }
            Console.WriteLine($"| {set.Name} | {classes} | {size} | {string.Join(" | ", line)} |{lbfgsColumns}");
        }
        Console.WriteLine($"| mean of {references.Count} | | | {string.Join(" | ", sums.Select((s, i) => $"{s / references.Count:F4} | {seconds[i]:F0}"))} |" +
            (lbfgs ? $" {lbfgsUnit / references.Count:F4} | {lbfgsLast / references.Count:F4} |" : ""));
    }

    private static (List<Row> Rows, int Classes, int Size) Rows(IDataView data)
    {
        var labelColumn = data.Schema["Label"];
        int classes = (int)((KeyDataViewType)labelColumn.Type).Count;
        int size = ((VectorDataViewType)data.Schema["Features"].Type).Size;
        var labels = data.GetColumn<uint>("Label").Select(l => (float)l).ToArray();
        var features = data.GetColumn<float[]>("Features").ToArray();
        return (labels.Select((l, i) => new Row { Label = l, Features = features[i] }).ToList(), classes, size);
    }

    private static double Fit(MLContext ml, List<Row> train, List<Row> test, int size, float factor, bool lbfgs)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        IEnumerable<Row> Scaled(List<Row> rows) => rows.Select(r => new Row { Label = r.Label, Features = r.Features.Select(v => v * factor).ToArray() });
        var trainView = ml.Data.Cache(ml.Data.LoadFromEnumerable(Scaled(train).ToList(), schema));
        var testView = ml.Data.LoadFromEnumerable(Scaled(test).ToList(), schema);
        var trainer = ml.Transforms.Conversion.MapValueToKey("Label").Append(lbfgs
            ? ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()
            : (IEstimator<ITransformer>)ml.MulticlassClassification.Trainers.SdcaMaximumEntropy());
        var fitted = trainer.Fit(trainView);
        return ml.MulticlassClassification.Evaluate(fitted.Transform(testView)).MicroAccuracy;
    }
}
