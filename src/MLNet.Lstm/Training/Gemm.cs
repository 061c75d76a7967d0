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
            j = Columns<Lanes512>(ref pa, rowStride, depthStride, ref pb, ref pc, m, k, n);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            j = Columns<Lanes256>(ref pa, rowStride, depthStride, ref pb, ref pc, m, k, n);
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
        var s00 = T.Load(ref c0); var s01 = T.Load(ref Unsafe.Add(ref c0, w));
        var s10 = T.Load(ref c1); var s11 = T.Load(ref Unsafe.Add(ref c1, w));
        var s20 = T.Load(ref c2); var s21 = T.Load(ref Unsafe.Add(ref c2, w));
        var s30 = T.Load(ref c3); var s31 = T.Load(ref Unsafe.Add(ref c3, w));
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
        }
        T.Store(s00, ref c0); T.Store(s01, ref Unsafe.Add(ref c0, w));
        T.Store(s10, ref c1); T.Store(s11, ref Unsafe.Add(ref c1, w));
        T.Store(s20, ref c2); T.Store(s21, ref Unsafe.Add(ref c2, w));
        T.Store(s30, ref c3); T.Store(s31, ref Unsafe.Add(ref c3, w));
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

        static abstract T MultiplyAdd(T x, T y, T addend);

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes256 value, ref float destination) => value._value.StoreUnsafe(ref destination);
    }
}
