using MLNet.Lstm.Training;

namespace MLNet.Lstm.Tests;

/// <summary>
/// The training GEMM's arithmetic, bit for bit: blocks of columns are one fused multiply-add
/// chain per element over p in order, starting from C; columns left over after the blocks are
/// summed from 0 with separate multiplies and adds, then added to C. Training's results are
/// reproducible only while every kernel (8-row blocks, single rows, narrow columns, 512-
/// or 256-bit) keeps exactly this arithmetic.
/// </summary>
[TestClass]
public sealed class GemmTests
{
    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return values;
    }

    private static float[] Reference(float[] a, float[] b, float[] c, int m, int k, int n, bool transposedA)
    {
        int lanes = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 : 8;
        int blocked = n - n % (2 * lanes);
        var result = (float[])c.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float Element(int p) => transposedA ? a[p * m + i] : a[i * k + p];
                if (j < blocked)
                {
                    float sum = result[i * n + j];
                    for (int p = 0; p < k; p++)
                    {
                        sum = MathF.FusedMultiplyAdd(Element(p), b[p * n + j], sum);
                    }
                    result[i * n + j] = sum;
                }
                else
                {
                    float sum = 0;
                    for (int p = 0; p < k; p++)
                    {
                        sum += Element(p) * b[p * n + j];
                    }
                    result[i * n + j] += sum;
                }
            }
        }
        return result;
    }

    private static void AssertBitIdentical(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]),
                $"element {i}: expected {expected[i]:R}, found {actual[i]:R}");
        }
    }

    [TestMethod]
    [DataRow(32, 64, 256)]
    [DataRow(1600, 256, 64)]
    [DataRow(13, 7, 33)]
    [DataRow(9, 1, 64)]
    [DataRow(3, 5, 1)]
    [DataRow(7, 3, 70)]
    [DataRow(40, 1, 3)]
    public void MultiplyAddsAToCInTheDocumentedOrder(int m, int k, int n)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var c = Random(m * n, 3);
        var expected = Reference(a, b, c, m, k, n, transposedA: false);
        Gemm.Multiply(a, b, c, m, k, n);
        AssertBitIdentical(expected, c);
    }

    [TestMethod]
    [DataRow(256, 1568, 64)]
    [DataRow(256, 1600, 1)]
    [DataRow(512, 3200, 3)]
    [DataRow(72, 9, 5)]
    [DataRow(17, 4, 2)]
    [DataRow(8, 2, 40)]
    public void MultiplyTransposedAAddsToCInTheDocumentedOrder(int m, int k, int n)
    {
        var a = Random(k * m, 4);
        var b = Random(k * n, 5);
        var c = Random(m * n, 6);
        var expected = Reference(a, b, c, m, k, n, transposedA: true);
        Gemm.MultiplyTransposedA(a, b, c, m, k, n);
        AssertBitIdentical(expected, c);
    }
}
