namespace MLNet.Lstm.Streaming;

/// <summary>
/// log10 of the standard normal's upper tail, P(Z &gt; z), which .NET's Math lacks, for any z:
/// Numerical Recipes' erfc (fractional error below 1.2e-7) where the tail is representable, and
/// its asymptotic series past z = 8, where it is not far from underflowing and its digits
/// matter most to a score.
/// </summary>
internal static class NormalTail
{
    private const double AsymptoticFrom = 8;
    private static readonly double LogSqrtTwoPi = 0.5 * Math.Log(2 * Math.PI);

    public static double Log10(double z)
    {
        if (z < AsymptoticFrom)
        {
            return Math.Log10(0.5 * Erfc(z / Math.Sqrt(2)));
        }
        // P(Z > z) = φ(z)/z · (1 − 1/z² + 3/z⁴ − …); at z ≥ 8 the series' next term is below 2e-5.
        double inverse = 1 / (z * z);
        return (-0.5 * z * z - Math.Log(z) - LogSqrtTwoPi + Math.Log(1 - inverse + 3 * inverse * inverse)) / Math.Log(10);
    }

    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
