using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm;

namespace MLNet.Lstm.Examples;

/// <summary>
/// NAB anomaly detection as the example and the tests run it: sliding windows of 48 steps, an
/// LSTM trained in .NET to forecast the next step on the first 15 % of the series (NAB's
/// probationary period), scored by NextStepError and by RandomizedPca on its representation.
/// </summary>
public static class NabBenchmark
{
    /// <summary>Steps per window: a day of the taxi series' half hours, four hours of the 5-minute series.</summary>
    public const int Window = 48;

    /// <summary>NAB's windows span hours to days: a point's score is the mean of the last 48 window scores.</summary>
    public const int Smooth = 48;

    /// <summary>The share of each series the detector learns from.</summary>
    public const double TrainingShare = 0.15;

    /// <summary>The four series of the README's table.</summary>
    public static readonly string[] Files =
    [
        "realKnownCause/machine_temperature_system_failure.csv",
        "realKnownCause/nyc_taxi.csv",
        "realKnownCause/ambient_temperature_system_failure.csv",
        "realKnownCause/cpu_utilization_asg_misconfiguration.csv",
    ];

    /// <summary>Scores one series; the AUCs are over the points after the training part.</summary>
    public static NabResult Run(NabSeries series)
    {
        var mlContext = new MLContext(seed: 1);
        int trainPoints = (int)(series.Values.Length * TrainingShare);
        // Standardized with the training part's statistics only, as a live detector would be.
        double mean = series.Values.Take(trainPoints).Average();
        double std = Math.Sqrt(series.Values.Take(trainPoints).Average(v => (v - mean) * (v - mean)));
        var values = series.Values.Select(v => (float)((v - mean) / std)).ToArray();

        var train = mlContext.Data.CreateSlidingWindows(values.Take(trainPoints), Window, stride: 2);
        var all = mlContext.Data.CreateSlidingWindows(values, Window, stride: 1);
        var training = new LstmTrainingOptions { Objective = LstmObjective.NextStep, HiddenSize = 32, Epochs = 15, LearningRate = 5e-3f, Seed = 1 };
        using var forecaster = mlContext.Transforms.LstmFeaturizeSequence(training,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.NextStepError, OutputColumnName = "Score" }).Fit(train);
        var windowScores = forecaster.Transform(all).GetColumn<float[]>("Score").Select(s => (double)s[0]).ToArray();

        using var encoder = mlContext.Transforms.LstmFeaturizeSequence(forecaster.Model,
            new LstmFeaturizerOptions { Representation = LstmRepresentation.LastHidden }).Fit(train);
        var pca = mlContext.Transforms.NormalizeMeanVariance("Features")
            .Append(mlContext.AnomalyDetection.Trainers.RandomizedPca("Features", rank: 4, seed: 1))
            .Fit(encoder.Transform(train));
        var pcaScores = pca.Transform(encoder.Transform(all)).GetColumn<float>("Score").Select(s => (double)s).ToArray();

        var pointScores = PointScores(windowScores, values.Length);
        var pointPca = PointScores(pcaScores, values.Length);
        var labels = series.PointLabels();
        double threshold = pointScores[..trainPoints].Max();
        int detected = series.Windows.Count(w => Enumerable.Range(0, values.Length)
            .Any(i => series.Times[i] >= w.Start && series.Times[i] <= w.End && pointScores[i] > threshold));
        return new NabResult(
            Auc(pointScores[trainPoints..], labels[trainPoints..]),
            Auc(pointPca[trainPoints..], labels[trainPoints..]),
            detected, pointScores, threshold);
    }

    /// <summary>A window's score belongs to its last point, averaged over the last <see cref="Smooth"/> windows; the first points borrow the first window's.</summary>
    private static double[] PointScores(double[] windowScores, int points)
    {
        var scores = new double[points];
        for (int i = 0; i < points; i++)
        {
            int last = Math.Clamp(i - (Window - 1), 0, windowScores.Length - 1);
            int first = Math.Max(0, last - Smooth + 1);
            double sum = 0;
            for (int k = first; k <= last; k++)
            {
                sum += windowScores[k];
            }
            scores[i] = sum / (last - first + 1);
        }
        return scores;
    }

    /// <summary>Point-level ROC AUC: the probability that a point inside a labelled window outscores one outside (ties count half).</summary>
        public static double Auc(double[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        int positives = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                end++;
            }
            double rank = (start + end + 1) / 2.0;
            for (int k = start; k < end; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }
            start = end;
        }
        int negatives = scores.Length - positives;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}

/// <summary>One series' scores.</summary>
/// <param name="Auc">Point-level ROC AUC of the next-step error.</param>
/// <param name="PcaAuc">Point-level ROC AUC of RandomizedPca on the representation.</param>
/// <param name="Detected">Labelled windows with a point above the threshold.</param>
/// <param name="PointScores">The next-step error per point.</param>
/// <param name="Threshold">The training part's highest score.</param>
public sealed record NabResult(double Auc, double PcaAuc, int Detected, double[] PointScores, double Threshold);
