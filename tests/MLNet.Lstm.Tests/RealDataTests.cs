using MLNet.Lstm.Examples;

namespace MLNet.Lstm.Tests;

/// <summary>The README's results on real data, asserted: the trained featurizer against the published 1-NN DTW.</summary>
[TestClass]
public sealed class RealDataTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Data", "ucr");

    [TestMethod]
    [DataRow("GunPoint", 0.95)]
    [DataRow("BasicMotions", 0.975)]
    [DataRow("JapaneseVowels", 0.95)]
    public void TrainedFeaturizerReachesItsTargetAccuracyOnTheOfficialTestSplit(string name, double target)
    {
        var set = UcrSet.All.Single(s => s.Name == name);

        double accuracy = set.Accuracy(Data, train: true);

        Console.WriteLine($"{name}: test accuracy {accuracy:F3}");
        Assert.IsGreaterThanOrEqualTo(target, accuracy);
    }

    [TestMethod]
    public void NextStepErrorReachesAMeanPointLevelAucOf075OnTheFourNabSeries()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Data", "NAB");

        var aucs = NabBenchmark.Files.Select(file => NabBenchmark.Run(NabSeries.Load(folder, file)).Auc).ToArray();

        Console.WriteLine($"NAB point-level AUC: {string.Join(", ", aucs.Select(a => a.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}; mean {aucs.Average():F3}");
        Assert.IsGreaterThanOrEqualTo(0.75, aucs.Average());
    }
}
