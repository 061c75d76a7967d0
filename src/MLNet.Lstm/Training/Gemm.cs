using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNet.Lstm.Training;

/// <summary>
/// C[M, N] += op(A) · B for row-major float matrices, where op(A) is A [M, K] or Aᵀ (A stored
/// [K, M]). The LSTM's training needs only these two shapes: forward and input gradients
/// multiply by a (transposed) weight, weight gradients by a transposed activation.
/// A register-blocked kernel keeps an 8 × 32 block of C in sixteen 512-bit (or 256-bit)
/// accumulators while it walks K, so each B load feeds eight FMAs (single rows take what is
/// left). Eight rows rather than four halve the passes over B, which were
/// what made the same product 1.1–1.8 ms or 0.5 ms inside training depending on where the
/// buffers happened to lie (cache-set conflicts of B's rows).
/// </summary>
internal static class Gemm
{
    private const int RowBlock = 8;

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
        int j = 0, narrowRows = 0;
        // Lanes along M need A's rows to be adjacent: Aᵀ, or A with K = 1.
        bool rowsAdjacent = rowStride == 1;
        if (Vector512.IsHardwareAccelerated)
        {
            j = Columns<Lanes512>(ref pa, rowStride, depthStride, ref pb, ref pc, m, k, n);
            narrowRows = rowsAdjacent ? NarrowColumns<Lanes512>(ref pa, depthStride, ref pb, ref pc, m, k, n, j) : 0;
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            j = Columns<Lanes256>(ref pa, rowStride, depthStride, ref pb, ref pc, m, k, n);
            narrowRows = rowsAdjacent ? NarrowColumns<Lanes256>(ref pa, depthStride, ref pb, ref pc, m, k, n, j) : 0;
        }
        for (; j < n; j++)
        {
            for (int i = narrowRows; i < m; i++)
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

    /// <summary>
    /// Columns [<paramref name="first"/>, N), fewer than a block (the first layer's input weight
    /// gradient has one per input feature), for an A whose rows are adjacent (element (i, p) at
    /// p · <paramref name="depthStride"/> + i), so lanes run along M. Each element is summed from 0 with a
    /// separate multiply and add in the order of p and then added to C — the scalar loop's
    /// arithmetic, so results are bit-identical to it. Returns the first row left to that loop.
    /// </summary>
    private static int NarrowColumns<T>(ref float a, int depthStride, ref float b, ref float c, int m, int k, int n, int first)
        where T : struct, ILanes<T>
    {
        int w = T.Count, rows = m - m % w;
        Span<float> sums = stackalloc float[4 * w];
        for (int j = first; j < n; j++)
        {
            int i = 0;
            for (; i + 4 * w <= rows; i += 4 * w)
            {
                T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    ref float ap = ref Unsafe.Add(ref a, p * depthStride + i);
                    var x = T.Broadcast(Unsafe.Add(ref b, p * n + j));
                    s0 = T.Add(s0, T.Multiply(T.Load(ref ap), x));
                    s1 = T.Add(s1, T.Multiply(T.Load(ref Unsafe.Add(ref ap, w)), x));
                    s2 = T.Add(s2, T.Multiply(T.Load(ref Unsafe.Add(ref ap, 2 * w)), x));
                    s3 = T.Add(s3, T.Multiply(T.Load(ref Unsafe.Add(ref ap, 3 * w)), x));
                }
                T.Store(s0, ref sums[0]); T.Store(s1, ref sums[w]); T.Store(s2, ref sums[2 * w]); T.Store(s3, ref sums[3 * w]);
                AddColumn(sums, ref c, i, j, n);
            }
            for (; i < rows; i += w)
            {
                T s0 = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    s0 = T.Add(s0, T.Multiply(T.Load(ref Unsafe.Add(ref a, p * depthStride + i)), T.Broadcast(Unsafe.Add(ref b, p * n + j))));
                }
                T.Store(s0, ref sums[0]);
                AddColumn(sums[..w], ref c, i, j, n);
            }
        }
        return rows;
    }

    private static void AddColumn(ReadOnlySpan<float> sums, ref float c, int i, int j, int n)
    {
        for (int l = 0; l < sums.Length; l++)
        {
            Unsafe.Add(ref c, (i + l) * n + j) += sums[l];
        }
    }

    /// <summary>Every whole block of 2 × <typeparamref name="T"/>.Count columns; returns the first column left.</summary>
    private static int Columns<T>(ref float a, int rowStride, int depthStride, ref float b, ref float c, int m, int k, int n)
        where T : struct, ILanes<T>
    {
        int width = 2 * T.Count, j = 0;
        for (; j + width <= n; j += width)
        {
            int i = 0;
            for (; i + RowBlock <= m; i += RowBlock)
            {
                Block<T>(ref a, rowStride, depthStride, ref b, ref c, i, j, k, n);
            }
            for (; i < m; i++)
            {
                Row<T>(ref a, rowStride, depthStride, ref b, ref c, i, j, k, n);
            }
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<T>(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
        where T : struct, ILanes<T>
    {
        int w = T.Count;
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        ref float c4 = ref Unsafe.Add(ref c3, n);
        ref float c5 = ref Unsafe.Add(ref c4, n);
        ref float c6 = ref Unsafe.Add(ref c5, n);
        ref float c7 = ref Unsafe.Add(ref c6, n);
        var s00 = T.Load(ref c0); var s01 = T.Load(ref Unsafe.Add(ref c0, w));
        var s10 = T.Load(ref c1); var s11 = T.Load(ref Unsafe.Add(ref c1, w));
        var s20 = T.Load(ref c2); var s21 = T.Load(ref Unsafe.Add(ref c2, w));
        var s30 = T.Load(ref c3); var s31 = T.Load(ref Unsafe.Add(ref c3, w));
        var s40 = T.Load(ref c4); var s41 = T.Load(ref Unsafe.Add(ref c4, w));
        var s50 = T.Load(ref c5); var s51 = T.Load(ref Unsafe.Add(ref c5, w));
        var s60 = T.Load(ref c6); var s61 = T.Load(ref Unsafe.Add(ref c6, w));
        var s70 = T.Load(ref c7); var s71 = T.Load(ref Unsafe.Add(ref c7, w));
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var b0 = T.Load(ref bp);
            var b1 = T.Load(ref Unsafe.Add(ref bp, w));
            ref float ap = ref Unsafe.Add(ref a0, p * depthStride);
            var x = T.Broadcast(ap);
            s00 = T.MultiplyAdd(x, b0, s00); s01 = T.MultiplyAdd(x, b1, s01);
            x = T.Broadcast(Unsafe.Add(ref ap, rowStride));
            s10 = T.MultiplyAdd(x, b0, s10); s11 = T.MultiplyAdd(x, b1, s11);
            x = T.Broadcast(Unsafe.Add(ref ap, 2 * rowStride));
            s20 = T.MultiplyAdd(x, b0, s20); s21 = T.MultiplyAdd(x, b1, s21);
            x = T.Broadcast(Unsafe.Add(ref ap, 3 * rowStride));
            s30 = T.MultiplyAdd(x, b0, s30); s31 = T.MultiplyAdd(x, b1, s31);
            x = T.Broadcast(Unsafe.Add(ref ap, 4 * rowStride));
            s40 = T.MultiplyAdd(x, b0, s40); s41 = T.MultiplyAdd(x, b1, s41);
            x = T.Broadcast(Unsafe.Add(ref ap, 5 * rowStride));
            s50 = T.MultiplyAdd(x, b0, s50); s51 = T.MultiplyAdd(x, b1, s51);
            x = T.Broadcast(Unsafe.Add(ref ap, 6 * rowStride));
            s60 = T.MultiplyAdd(x, b0, s60); s61 = T.MultiplyAdd(x, b1, s61);
            x = T.Broadcast(Unsafe.Add(ref ap, 7 * rowStride));
            s70 = T.MultiplyAdd(x, b0, s70); s71 = T.MultiplyAdd(x, b1, s71);
        }
        T.Store(s00, ref c0); T.Store(s01, ref Unsafe.Add(ref c0, w));
        T.Store(s10, ref c1); T.Store(s11, ref Unsafe.Add(ref c1, w));
        T.Store(s20, ref c2); T.Store(s21, ref Unsafe.Add(ref c2, w));
        T.Store(s30, ref c3); T.Store(s31, ref Unsafe.Add(ref c3, w));
        T.Store(s40, ref c4); T.Store(s41, ref Unsafe.Add(ref c4, w));
        T.Store(s50, ref c5); T.Store(s51, ref Unsafe.Add(ref c5, w));
        T.Store(s60, ref c6); T.Store(s61, ref Unsafe.Add(ref c6, w));
        T.Store(s70, ref c7); T.Store(s71, ref Unsafe.Add(ref c7, w));
    }

    private static void Row<T>(ref float a, int rowStride, int depthStride, ref float b, ref float c, int i, int j, int k, int n)
        where T : struct, ILanes<T>
    {
        int w = T.Count;
        ref float c0 = ref Unsafe.Add(ref c, i * n + j);
        var s0 = T.Load(ref c0);
        var s1 = T.Load(ref Unsafe.Add(ref c0, w));
        ref float a0 = ref Unsafe.Add(ref a, i * rowStride);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * n + j);
            var x = T.Broadcast(Unsafe.Add(ref a0, p * depthStride));
            s0 = T.MultiplyAdd(x, T.Load(ref bp), s0);
            s1 = T.MultiplyAdd(x, T.Load(ref Unsafe.Add(ref bp, w)), s1);
        }
        T.Store(s0, ref c0);
        T.Store(s1, ref Unsafe.Add(ref c0, w));
    }

    /// <summary>
    /// One SIMD register of floats, so one kernel serves 512- and 256-bit machines: the JIT
    /// compiles <see cref="Block{T}"/> once per struct, each as if written for that width.
    /// (.NET's own <c>ISimdVector</c> is not implemented publicly by <c>Vector512&lt;T&gt;</c>.)
    /// </summary>
    private interface ILanes<T>
        where T : struct, ILanes<T>
    {
        static abstract int Count { get; }

        static abstract T Load(ref float source);

        static abstract T Broadcast(float value);

        static abstract T Zero { get; }

        static abstract T MultiplyAdd(T x, T y, T addend);

        static abstract T Multiply(T x, T y);

        static abstract T Add(T x, T y);

        static abstract void Store(T value, ref float destination);
    }

    private readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
    {
        private readonly Vector512<float> _value = value;

        public static int Count => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Load(ref float source) => new(Vector512.LoadUnsafe(ref source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Broadcast(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 MultiplyAdd(Lanes512 x, Lanes512 y, Lanes512 addend) => new(Vector512.FusedMultiplyAdd(x._value, y._value, addend._value));

        public static Lanes512 Zero => new(Vector512<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Multiply(Lanes512 x, Lanes512 y) => new(x._value * y._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Add(Lanes512 x, Lanes512 y) => new(x._value + y._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes512 value, ref float destination) => value._value.StoreUnsafe(ref destination);
    }

    private readonly struct Lanes256(Vector256<float> value) : ILanes<Lanes256>
    {
        private readonly Vector256<float> _value = value;

        public static int Count => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Load(ref float source) => new(Vector256.LoadUnsafe(ref source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Broadcast(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 MultiplyAdd(Lanes256 x, Lanes256 y, Lanes256 addend) => new(Vector256.FusedMultiplyAdd(x._value, y._value, addend._value));

        public static Lanes256 Zero => new(Vector256<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Multiply(Lanes256 x, Lanes256 y) => new(x._value * y._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Add(Lanes256 x, Lanes256 y) => new(x._value + y._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes256 value, ref float destination) => value._value.StoreUnsafe(ref destination);
    }
}
