namespace MLNet.Lstm.Streaming;

/// <summary>
/// The complementary error function, which .NET's Math lacks: Chebyshev fit of Numerical
/// Recipes (erfcc, fractional error below 1.2e-7 everywhere), computed in the tail directly, so
/// probabilities as small as 1e-300 keep their digits instead of vanishing in 1 − erf(x).
/// </summary>
internal static class Erfc
{
    public static double Complement(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
