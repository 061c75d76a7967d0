using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNet.Lstm.Training;

/// <summary>
/// C[M, N] += op(A) · B for row-major float matrices, where op(A) is A [M, K] or Aᵀ (A stored
/// [K, M]). The LSTM's training needs only these two shapes: forward and input gradients
/// multiply by a (transposed) weight, weight gradients by a transposed activation.
/// A register-blocked kernel keeps a 4 × 32 block of C in eight 512-bit (or 256-bit)
/// accumulators while it walks K, so each B load feeds four FMAs.
/// </summary>
internal static class Gemm
{
    private const int RowBlock = 4;

    /// <summary>C[M, N] += A[M, K] · B[K, N].</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) =>
        Run(a, rowStride: k, depthStride: 1, b, c, m, k, n);

    /// <summary>C[M, N] += Aᵀ · B, with A stored [K, M].</summary>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) =>
        Run(a, rowStride: 1, depthStride: m, b, c, m, k, n);

    /// <summary>Writes Aᵀ [N, M] for A [M, N].</summary>
    public static void Transpose(ReadOnlySpan<float> a, Span<float> transposed, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                transposed[j * m + i] = a[i * n + j];
            }
        }
    }

    private static void Run(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        if (m == 0 || k == 0 || n == 0)
        {
            return;
        }
        ref float pa = ref Unsafe.AsRef(in a[0]);
        ref float pb = ref Unsafe.AsRef(in b[0]);
        ref float pc = ref c[0];
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 32 <= n; j += 32)
            {
                int i = 0;
                for (; i + RowBlock <= m; i += RowBlock)
                {
                    Block512(ref pa, rowStride, depthStride, ref pb, ref pc, i, j, k, n);
                }
                for (; i < m; i++)
                {
                    Row512(ref pa, rowStride, depthStride, ref pb, ref pc, i, j, k, n);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 16 <= n; j += 16)
            {
                int i = 0;
                for (; i + RowBlock <= m; i += RowBlock)
                {
                    Block256(ref pa, rowStride, depthStride, ref pb, ref pc, i, j, k, n);
                }
                for (; i < m; i++)
                {
                    Row256(ref pa, rowStride, depthStride, ref pb, ref pc, i, j, k, n);
                }
            }
        }
        for (; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += Unsafe.Add(ref pa, i * rowStride + p * depthStride) * Unsafe.Add(ref pb, p * n + j);
                }
                Unsafe.Add(ref pc, i * n + j) += sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block512(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
    {
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        var s00 = Vector512.LoadUnsafe(ref c0); var s01 = Vector512.LoadUnsafe(ref c0, 16);
        var s10 = Vector512.LoadUnsafe(ref c1); var s11 = Vector512.LoadUnsafe(ref c1, 16);
        var s20 = Vector512.LoadUnsafe(ref c2); var s21 = Vector512.LoadUnsafe(ref c2, 16);
        var s30 = Vector512.LoadUnsafe(ref c3); var s31 = Vector512.LoadUnsafe(ref c3, 16);
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var b0 = Vector512.LoadUnsafe(ref bp);
            var b1 = Vector512.LoadUnsafe(ref bp, 16);
            ref float ap = ref Unsafe.Add(ref a0, p * depthStride);
            var x = Vector512.Create(ap);
            s00 = Vector512.FusedMultiplyAdd(x, b0, s00); s01 = Vector512.FusedMultiplyAdd(x, b1, s01);
            x = Vector512.Create(Unsafe.Add(ref ap, rowStride));
            s10 = Vector512.FusedMultiplyAdd(x, b0, s10); s11 = Vector512.FusedMultiplyAdd(x, b1, s11);
            x = Vector512.Create(Unsafe.Add(ref ap, 2 * rowStride));
            s20 = Vector512.FusedMultiplyAdd(x, b0, s20); s21 = Vector512.FusedMultiplyAdd(x, b1, s21);
            x = Vector512.Create(Unsafe.Add(ref ap, 3 * rowStride));
            s30 = Vector512.FusedMultiplyAdd(x, b0, s30); s31 = Vector512.FusedMultiplyAdd(x, b1, s31);
        }
        s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, 16);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, 16);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, 16);
        s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, 16);
    }

    private static void Row512(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
    {
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        var s0 = Vector512.LoadUnsafe(ref c0);
        var s1 = Vector512.LoadUnsafe(ref c0, 16);
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var x = Vector512.Create(Unsafe.Add(ref a0, p * depthStride));
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 16), s1);
        }
        s0.StoreUnsafe(ref c0);
        s1.StoreUnsafe(ref c0, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block256(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
    {
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        var s00 = Vector256.LoadUnsafe(ref c0); var s01 = Vector256.LoadUnsafe(ref c0, 8);
        var s10 = Vector256.LoadUnsafe(ref c1); var s11 = Vector256.LoadUnsafe(ref c1, 8);
        var s20 = Vector256.LoadUnsafe(ref c2); var s21 = Vector256.LoadUnsafe(ref c2, 8);
        var s30 = Vector256.LoadUnsafe(ref c3); var s31 = Vector256.LoadUnsafe(ref c3, 8);
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var b0 = Vector256.LoadUnsafe(ref bp);
            var b1 = Vector256.LoadUnsafe(ref bp, 8);
            ref float ap = ref Unsafe.Add(ref a0, p * depthStride);
            var x = Vector256.Create(ap);
            s00 = Vector256.FusedMultiplyAdd(x, b0, s00); s01 = Vector256.FusedMultiplyAdd(x, b1, s01);
            x = Vector256.Create(Unsafe.Add(ref ap, rowStride));
            s10 = Vector256.FusedMultiplyAdd(x, b0, s10); s11 = Vector256.FusedMultiplyAdd(x, b1, s11);
            x = Vector256.Create(Unsafe.Add(ref ap, 2 * rowStride));
            s20 = Vector256.FusedMultiplyAdd(x, b0, s20); s21 = Vector256.FusedMultiplyAdd(x, b1, s21);
            x = Vector256.Create(Unsafe.Add(ref ap, 3 * rowStride));
            s30 = Vector256.FusedMultiplyAdd(x, b0, s30); s31 = Vector256.FusedMultiplyAdd(x, b1, s31);
        }
        s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, 8);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, 8);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, 8);
        s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, 8);
    }

    private static void Row256(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
    {
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        var s0 = Vector256.LoadUnsafe(ref c0);
        var s1 = Vector256.LoadUnsafe(ref c0, 8);
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var x = Vector256.Create(Unsafe.Add(ref a0, p * depthStride));
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 8), s1);
        }
        s0.StoreUnsafe(ref c0);
        s1.StoreUnsafe(ref c0, 8);
    }
}
