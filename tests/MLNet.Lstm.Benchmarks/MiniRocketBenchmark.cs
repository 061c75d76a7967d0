using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// What MiniRocket's features would add to the plain pipeline's (issue 19): MiniRocket
/// (Dempster, Schmidt and Webb 2021, univariate, as sktime fits it: 84 kernels of 9 taps,
/// dilations up to (T − 1)/8, biases from quantiles of the convolutions of random training
/// series, PPV, padding alternating between kernels) computed here in C#, each feature
/// standardized over the training rows as RidgeClassifierCV(normalize=True) reads it, and read
/// by the same SdcaMaximumEntropy alone and beside the trained featurizer's features (those
/// standardized too). A measurement, not a library feature.
/// </summary>
internal static class MiniRocketBenchmark
{
    private const int MaxDilationsPerKernel = 32;
    private const int KernelLength = 9;

    /// <summary>The 84 kernels: the 3 of 9 taps weighted 2 (the other 6 weigh −1).</summary>
    private static readonly int[][] Kernels = Combinations();

    /// <param name="only">The sets to run; all of references.csv when empty.</param>
    /// <param name="featureCount">MiniRocket's features per series (its default 10,000; 9,996 after rounding to the 84 kernels).</param>
    /// <param name="maxSteps">When above 0, each series is first averaged to at most this many steps, as the featurizer pools it.</param>
    public static void Run(IReadOnlyList<string> only, int featureCount, int maxSteps)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "data", "ucr-suite");
        var sets = UcrBenchmark.References(folder).Where(r => only.Count == 0 || only.Contains(r.Name)).ToList();
        Console.WriteLine($"## MiniRocket's features and the plain pipeline's, each read by SdcaMaximumEntropy ({featureCount} features{(maxSteps > 0 ? $", series pooled to at most {maxSteps} steps" : "")})");
        Console.WriteLine();
        Console.WriteLine("| set | trained LSTM (the plain pipeline) | MiniRocket features + SDCA | both + SDCA | 1-NN DTW | MiniRocket (published) | s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var rows = new List<(UcrBenchmark.Reference Set, double Lstm, double Rocket, double Both)>();
        foreach (var set in sets)
        {
            var clock = Stopwatch.StartNew();
            var (lstm, rocket, both) = Accuracies(folder, set.Name, featureCount, maxSteps);
            rows.Add((set, lstm, rocket, both));
            Console.WriteLine($"| {set.Name} | {lstm:F3} | {rocket:F3} | {both:F3} | {set.Dtw:F3} | {set.MiniRocket?.ToString("F3", CultureInfo.InvariantCulture) ?? "—"} | {clock.Elapsed.TotalSeconds:F1} |");
        }
        var reported = rows.Where(r => r.Set.MiniRocket is not null).ToList();
        int AtDtw(Func<(UcrBenchmark.Reference Set, double Lstm, double Rocket, double Both), double> accuracy) =>
            rows.Count(r => UcrBenchmark.AtOrAbove(accuracy(r), r.Set.Dtw, r.Set.Test));
        Console.WriteLine();
        Console.WriteLine("| sets | trained LSTM | MiniRocket features + SDCA | both + SDCA | 1-NN DTW | MiniRocket (published) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| all {rows.Count}: mean | {rows.Average(r => r.Lstm):F3} | {rows.Average(r => r.Rocket):F3} | {rows.Average(r => r.Both):F3} | {rows.Average(r => r.Set.Dtw):F3} | — |");
        Console.WriteLine($"| all {rows.Count}: at or above DTW | {AtDtw(r => r.Lstm)} | {AtDtw(r => r.Rocket)} | {AtDtw(r => r.Both)} | — | — |");
        if (reported.Count > 0)
        {
            Console.WriteLine($"| the {reported.Count} MiniRocket reports: mean | {reported.Average(r => r.Lstm):F3} | {reported.Average(r => r.Rocket):F3} | {reported.Average(r => r.Both):F3} | {reported.Average(r => r.Set.Dtw):F3} | {reported.Average(r => r.Set.MiniRocket!.Value):F3} |");
        }
    }

    private static (double Lstm, double Rocket, double Both) Accuracies(string folder, string name, int featureCount, int maxSteps)
    {
        var ml = new MLContext(seed: 1);
        var trainFile = TimeSeriesFile.Read(UcrBenchmark.SetFile(folder, name, "TRAIN"));
        var testFile = TimeSeriesFile.Read(UcrBenchmark.SetFile(folder, name, "TEST"));
        var trainData = trainFile.ToDataView(ml.Data);
        using var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label" }))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Fit(trainData);
        var scoredTest = model.Transform(testFile.ToDataView(ml.Data));
        double lstm = ml.MulticlassClassification.Evaluate(scoredTest).MicroAccuracy;
        var lstmTrain = model.Transform(trainData).GetColumn<float[]>("Features").ToArray();
        var lstmTest = scoredTest.GetColumn<float[]>("Features").ToArray();
        Standardize(lstmTrain, lstmTest);

        var trainSeries = trainFile.Sequences.Select(s => Pool(s, maxSteps)).ToList();
        var rocket = Fit(trainSeries, featureCount, seed: 1);
        var rocketTrain = trainSeries.Select(s => Transform(rocket, s)).ToArray();
        var rocketTest = testFile.Sequences.Select(s => Transform(rocket, Pool(s, maxSteps))).ToArray();
        Standardize(rocketTrain, rocketTest);
        return (lstm,
            Sdca(ml, trainFile.Labels, rocketTrain, testFile.Labels, rocketTest),
            Sdca(ml, trainFile.Labels, Concat(lstmTrain, rocketTrain), testFile.Labels, Concat(lstmTest, rocketTest)));
    }

    /// <summary>Averages of ⌈T / maxSteps⌉ steps (the last one over the steps left), as the featurizer's pooling.</summary>
    private static float[] Pool(float[] x, int maxSteps)
    {
        if (maxSteps <= 0 || x.Length <= maxSteps)
        {
            return x;
        }
        int stride = (x.Length + maxSteps - 1) / maxSteps;
        var pooled = new float[(x.Length + stride - 1) / stride];
        for (int j = 0; j < pooled.Length; j++)
        {
            int from = j * stride, to = Math.Min(from + stride, x.Length);
            float sum = 0;
            for (int t = from; t < to; t++)
            {
                sum += x[t];
            }
            pooled[j] = sum / (to - from);
        }
        return pooled;
    }

    /// <summary>Each feature to mean 0 and deviation 1 over the training rows (a constant feature to 0).</summary>
    private static void Standardize(float[][] train, float[][] test)
    {
        for (int j = 0; j < train[0].Length; j++)
        {
            double mean = train.Average(row => row[j]);
            double deviation = Math.Sqrt(train.Average(row => (row[j] - mean) * (row[j] - mean)));
            float scale = deviation > 1e-6 ? (float)(1 / deviation) : 0f;
            foreach (var row in train.Concat(test))
            {
                row[j] = (float)((row[j] - mean) * scale);
            }
        }
    }

    private static float[][] Concat(float[][] a, float[][] b) => a.Select((x, i) => x.Concat(b[i]).ToArray()).ToArray();

    private static double Sdca(MLContext ml, IReadOnlyList<string> trainLabels, float[][] train, IReadOnlyList<string> testLabels, float[][] test)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, train[0].Length);
        var trainView = ml.Data.LoadFromEnumerable(train.Select((x, i) => new Row { Label = trainLabels[i], Features = x }), schema);
        var testView = ml.Data.LoadFromEnumerable(test.Select((x, i) => new Row { Label = testLabels[i], Features = x }), schema);
        using var model = ml.Transforms.Conversion.MapValueToKey("Label").AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(trainView);
        return ml.MulticlassClassification.Evaluate(model.Transform(testView)).MicroAccuracy;
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];
    }

    private sealed record Parameters(int[] Dilations, int[] FeaturesPerDilation, float[] Biases);

    private static int[][] Combinations()
    {
        var kernels = new List<int[]>();
        for (int a = 0; a < KernelLength; a++)
        {
            for (int b = a + 1; b < KernelLength; b++)
            {
                for (int c = b + 1; c < KernelLength; c++)
                {
                    kernels.Add([a, b, c]);
                }
            }
        }
        return [.. kernels];
    }

    /// <summary>
    /// sktime's fit: dilations 2^(e·i/31) truncated for 32 exponents e up to log2((T − 1)/8) of the
    /// shortest series, each dilation's share of features by how often it occurs, and each kernel's
    /// biases the quantiles (the golden ratio's multiples mod 1) of its convolution of one random
    /// training series.
    /// </summary>
    private static Parameters Fit(IReadOnlyList<float[]> train, int featureCount, int seed)
    {
        int length = train.Min(s => s.Length);
        int perKernel = featureCount / Kernels.Length;
        int exponents = Math.Min(perKernel, MaxDilationsPerKernel);
        double multiplier = (double)perKernel / exponents;
        double maxExponent = Math.Log2(Math.Max(length - 1, 1) / (double)(KernelLength - 1));
        var all = Enumerable.Range(0, exponents).Select(i => (int)Math.Pow(2, exponents == 1 ? 0 : maxExponent * i / (exponents - 1))).ToArray();
        var dilations = all.Distinct().Order().ToArray();
        var counts = dilations.Select(d => (int)(all.Count(x => x == d) * multiplier)).ToArray();
        for (int i = 0, remainder = perKernel - counts.Sum(); remainder > 0; i = (i + 1) % counts.Length, remainder--)
        {
            counts[i]++;
        }
        int total = Kernels.Length * counts.Sum();
        var biases = new float[total];
        var random = new Random(seed);
        int start = 0;
        for (int d = 0; d < dilations.Length; d++)
        {
            for (int k = 0; k < Kernels.Length; k++)
            {
                var convolved = Convolve(train[random.Next(train.Count)], dilations[d], k);
                Array.Sort(convolved);
                for (int f = start; f < start + counts[d]; f++)
                {
                    biases[f] = Quantile(convolved, (float)((f + 1) * ((Math.Sqrt(5) + 1) / 2) % 1));
                }
                start += counts[d];
            }
        }
        return new Parameters(dilations, counts, biases);
    }

    /// <summary>numpy's default (linear) quantile of sorted values (numpy's quantiles are float32 too).</summary>
    private static float Quantile(float[] sorted, float q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)position;
        int high = Math.Min(low + 1, sorted.Length - 1);
        return (float)(sorted[low] + (sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>The kernel's convolution at every step: −1 at its 9 taps, 2 at its 3, zero padding of 4 dilations on each side.</summary>
    private static float[] Convolve(float[] x, int dilation, int kernel)
    {
        var convolved = new float[x.Length];
        var taps = Kernels[kernel];
        for (int t = 0; t < x.Length; t++)
        {
            float sum = 0;
            for (int k = 0; k < KernelLength; k++)
            {
                int s = t + (k - KernelLength / 2) * dilation;
                if (s >= 0 && s < x.Length)
                {
                    sum += (k == taps[0] || k == taps[1] || k == taps[2] ? 2f : -1f) * x[s];
                }
            }
            convolved[t] = sum;
        }
        return convolved;
    }

    /// <summary>PPV: the share of steps where the convolution exceeds each bias, over every step or, for every other kernel, the steps padding did not reach.</summary>
    private static float[] Transform(Parameters p, float[] x)
    {
        var features = new float[p.Biases.Length];
        int start = 0;
        for (int d = 0; d < p.Dilations.Length; d++)
        {
            int padding = KernelLength / 2 * p.Dilations[d];
            for (int k = 0; k < Kernels.Length; k++)
            {
                var convolved = Convolve(x, p.Dilations[d], k);
                bool padded = (d % 2 + k) % 2 == 0;
                int from = padded ? 0 : padding, to = padded ? convolved.Length : convolved.Length - padding;
                if (to <= from)
                {
                    (from, to) = (0, convolved.Length);
                }
                for (int f = start; f < start + p.FeaturesPerDilation[d]; f++)
                {
                    int positive = 0;
                    for (int t = from; t < to; t++)
                    {
                        positive += convolved[t] > p.Biases[f] ? 1 : 0;
                    }
                    features[f] = (float)positive / (to - from);
                }
                start += p.FeaturesPerDilation[d];
            }
        }
        return features;
    }
}
