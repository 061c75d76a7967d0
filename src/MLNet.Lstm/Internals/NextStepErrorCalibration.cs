using MLNet.Lstm.Streaming;

namespace MLNet.Lstm;

/// <summary>
/// The anomaly trainer's score: a row's next-step error e as Φ((ln e − m) / s) in [0, 1], where m
/// is the median of the held-out training rows' log errors and s their median absolute deviation × 1.4826.
/// </summary>
/// <remarks>
/// A mean of squared forecast errors is positive and skewed to the right (a scaled χ² when the
/// residuals are Gaussian); its logarithm is close to normal. Φ of the z against the training
/// rows then reads as the share of windows like the training ones whose error is lower, and
/// <see cref="LstmAnomalyTrainerOptions.Threshold"/> as a false-positive rate: 0.99 flags about
/// 1 % of them. Median and MAD rather than mean and standard deviation, because the training rows
/// are mostly normal, not all: a few anomalies among them would widen a standard deviation and
/// hide later anomalies, while the median and MAD ignore up to half the rows. ln, the z and Φ all
/// increase, so scores order rows exactly as their errors do and the AUC is the raw error's,
/// except where float rounds Φ to 1 (z beyond about 5.4: every such row scores 1).
/// </remarks>
internal sealed class NextStepErrorCalibration(double center, double scale)
{
    // 1 / Φ⁻¹(3/4): the MAD of a normal sample is 0.6745 of its standard deviation.
    private const double MadToStandardDeviation = 1.4826;

    /// <summary>Median of the held-out training rows' log errors.</summary>
    public double Center { get; } = center;

    /// <summary>MAD of the held-out training rows' log errors, scaled to a normal's standard deviation.</summary>
    public double Scale { get; } = scale;

    /// <summary>The calibration of <paramref name="errors"/>' finite values; null when none is finite.</summary>
    public static NextStepErrorCalibration? Fit(IEnumerable<float> errors)
    {
        double[] logs = [.. errors.Where(float.IsFinite).Select(Log).Order()];
        if (logs.Length == 0)
        {
            return null;
        }
        double median = Median(logs);
        double[] deviations = [.. logs.Select(l => Math.Abs(l - median)).Order()];
        return new(median, MadToStandardDeviation * Median(deviations));
    }

    /// <summary>The score of a row's error; NaN (no next step to forecast, or a non-finite input) stays NaN.</summary>
    public float Score(float error)
    {
        if (float.IsNaN(error))
        {
            return float.NaN;
        }
        double deviation = Log(error) - Center;
        // With every training error equal (Scale 0), any other error is infinitely far: 0 or 1.
        double z = deviation == 0 ? 0 : deviation / Scale;
        return (float)(1 - Math.Pow(10, NormalTail.Log10(z)));
    }

    // An error of 0 counts as the smallest positive float: still the lowest score, where ln 0 is −∞.
    private static double Log(float error) => Math.Log(Math.Max(error, float.Epsilon));

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
