using MLNet.Lstm.Streaming;

namespace MLNet.Lstm.Tests;

/// <summary>The sorted history behind <see cref="LstmErrorTail.Empirical"/>: counts as a scan of the history would.</summary>
[TestClass]
public sealed class EmpiricalTailTests
{
    [TestMethod]
    public void CountsAtLeastAValueAsAScanOfTheRollingHistoryDoes()
    {
        const int capacity = 50;
        var tail = new EmpiricalTail(capacity);
        var history = new double[capacity];
        var random = new Random(3);
        for (int i = 0; i < 2_000; i++)
        {
            // Few distinct values, so that ties, and leaving values equal to joining ones, are common.
            double value = random.Next(20) * 0.5;
            if (i < capacity)
            {
                tail.Add(value);
            }
            else
            {
                tail.Replace(history[i % capacity], value);
            }
            history[i % capacity] = value;

            int kept = Math.Min(i + 1, capacity);
            Assert.AreEqual(kept, tail.Count);
            foreach (double probe in new[] { -1, 0, value, 4.75, 5, 9.5, 10 })
            {
                Assert.AreEqual(history.Take(kept).Count(v => v >= probe), tail.CountAtLeast(probe), $"step {i}, probe {probe}");
            }
        }
    }

    [TestMethod]
    public void RebuildKeepsExactlyTheValuesGiven()
    {
        var tail = new EmpiricalTail(5);
        tail.Add(7);

        tail.Rebuild([3, 1e20, 0, 3]);

        Assert.AreEqual(4, tail.Count);
        Assert.AreEqual((4, 3, 1, 1, 0), (tail.CountAtLeast(0), tail.CountAtLeast(1), tail.CountAtLeast(4), tail.CountAtLeast(1e20), tail.CountAtLeast(double.MaxValue)));
    }

    [TestMethod]
    public void ALikelihoodScoresTheDigitsOfTheShareOfItsHistoryAtLeastAsLarge()
    {
        const int history = 100;
        var likelihood = new AnomalyLikelihood(averagingWindow: 1, history, warmUp: 10, trainingPoints: 0, empiricalTail: true);
        double[] errors = [.. Enumerable.Range(0, 300).Select(t => t == 120 ? 1e20 : 0.01 * (1 + 0.5 * Math.Sin(0.7 * t)))];

        var scores = errors.Select(likelihood.Update).ToArray();

        Assert.IsTrue(scores[..10].All(s => s == 0), "warm-up");
        for (int t = 10; t < errors.Length; t++)
        {
            Assert.AreEqual(RankScore(errors, t, history), scores[t], 1e-6, $"error {t}");
        }
        // The huge error is the largest of a full history; it scores 1, and counts as one error while it stays.
        Assert.AreEqual(1f, scores[120]);
    }

    [TestMethod]
    public void OverAWindowOfTwoALikelihoodRanksTheMeanOfTheLastTwoErrorsSquareRoots()
    {
        const int history = 100;
        var likelihood = new AnomalyLikelihood(averagingWindow: 2, history, warmUp: 10, trainingPoints: 0, empiricalTail: true);
        double[] errors = [.. Enumerable.Range(0, 300).Select(t => t == 120 ? 1e20 : 0.01 * (1 + 0.5 * Math.Sin(0.7 * t)))];

        var scores = errors.Select(likelihood.Update).ToArray();

        // Mean t is that of errors t − 1 and t; the first is error 1's, so 10 means make the history at error 11.
        double[] means = [.. Enumerable.Range(1, errors.Length - 1).Select(t => 0.5 * (Math.Sqrt(errors[t - 1]) + Math.Sqrt(errors[t])))];
        Assert.IsTrue(scores[..11].All(s => s == 0), "warm-up");
        for (int m = 10; m < means.Length; m++)
        {
            Assert.AreEqual(RankScore(means, m, history), scores[m + 1], 1e-6, $"error {m + 1}");
        }
    }

    // By a scan: the digits of the share of the up to `history` values before values[at] that are at least as large.
    private static double RankScore(double[] values, int at, int history)
    {
        var window = values[Math.Max(0, at - history)..at];
        int atLeast = window.Count(v => v >= values[at]);
        return Math.Log10((window.Length + 1.0) / (atLeast + 1.0)) / Math.Log10(history + 1.0);
    }

    [TestMethod]
    public void TheSmallestErrorOfAFullHistoryScoresZeroAndTheLargestOne()
    {
        var likelihood = new AnomalyLikelihood(averagingWindow: 1, historyLength: 20, warmUp: 20, trainingPoints: 0, empiricalTail: true);
        for (int t = 0; t < 20; t++)
        {
            likelihood.Update(1 + t);
        }

        Assert.AreEqual(0f, likelihood.Update(0.5));
        Assert.IsTrue(likelihood.Scored);
        Assert.AreEqual(1f, likelihood.Update(100));
    }
}
