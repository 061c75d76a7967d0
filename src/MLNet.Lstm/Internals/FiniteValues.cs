using System.Numerics.Tensors;

namespace MLNet.Lstm;

/// <summary>Finding NaN and infinity in parameter tensors, vectorized for the all-finite case.</summary>
internal static class FiniteValues
{
    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or −1 when all are finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        // MaxMagnitude propagates NaN and keeps infinity, so one vectorized pass answers the usual case.
        if (values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values)))
        {
            return -1;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
