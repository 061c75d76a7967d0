namespace MLNet.Lstm.Evaluation;

/// <summary>
/// A NAB scoring profile (NAB's <c>config/profiles.json</c>): how much a detected window earns and
/// what a false alarm and a missed window cost.
/// </summary>
public sealed class NabProfile
{
    /// <summary>Creates a profile with the given weights.</summary>
    /// <param name="name">The profile's name, as NAB's results name it.</param>
    /// <param name="truePositiveWeight">What the earliest possible detection of a window earns.</param>
    /// <param name="falsePositiveWeight">What a false alarm far from any window costs.</param>
    /// <param name="falseNegativeWeight">What a window without any detection costs.</param>
    /// <param name="trueNegativeWeight">NAB's <c>tnWeight</c>; NAB's scorer does not use it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative, NaN or infinite.</exception>
    public NabProfile(string name, double truePositiveWeight, double falsePositiveWeight, double falseNegativeWeight, double trueNegativeWeight = 1.0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        TruePositiveWeight = Checked(truePositiveWeight, nameof(truePositiveWeight));
        FalsePositiveWeight = Checked(falsePositiveWeight, nameof(falsePositiveWeight));
        FalseNegativeWeight = Checked(falseNegativeWeight, nameof(falseNegativeWeight));
        TrueNegativeWeight = Checked(trueNegativeWeight, nameof(trueNegativeWeight));
    }

    /// <summary>NAB's "standard" profile: tp 1, fp 0.11, fn 1.</summary>
    public static NabProfile Standard { get; } = new("standard", 1.0, 0.11, 1.0);

    /// <summary>NAB's "reward_low_FP_rate" profile: false alarms cost twice as much (fp 0.22).</summary>
    public static NabProfile RewardLowFalsePositiveRate { get; } = new("reward_low_FP_rate", 1.0, 0.22, 1.0);

    /// <summary>NAB's "reward_low_FN_rate" profile: missed windows cost twice as much (fn 2).</summary>
    public static NabProfile RewardLowFalseNegativeRate { get; } = new("reward_low_FN_rate", 1.0, 0.11, 2.0);

    /// <summary>NAB's three profiles: standard, reward_low_FP_rate, reward_low_FN_rate.</summary>
    public static IReadOnlyList<NabProfile> All { get; } = [Standard, RewardLowFalsePositiveRate, RewardLowFalseNegativeRate];

    /// <summary>The profile's name, as NAB's results name it (e.g. "standard").</summary>
    public string Name { get; }

    /// <summary>What the earliest possible detection of a window earns (NAB's <c>tpWeight</c>).</summary>
    public double TruePositiveWeight { get; }

    /// <summary>What a false alarm far from any window costs (NAB's <c>fpWeight</c>).</summary>
    public double FalsePositiveWeight { get; }

    /// <summary>What a window without any detection costs (NAB's <c>fnWeight</c>).</summary>
    public double FalseNegativeWeight { get; }

    /// <summary>NAB's <c>tnWeight</c>: kept for completeness, NAB's scorer does not use it.</summary>
    public double TrueNegativeWeight { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static double Checked(double weight, string parameter) =>
        double.IsFinite(weight) && weight >= 0 ? weight : throw EvaluationThrow.NabWeightInvalid(parameter, weight);
}
