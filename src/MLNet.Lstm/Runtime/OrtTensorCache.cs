using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// Keeps the <see cref="OrtValue"/> that wraps a region of a float array under a tensor shape,
/// and makes a new one only when the array or the shape changes: a cursor's batches share one
/// shape, so steady state creates no OrtValue. The arrays are allocated on the pinned object
/// heap (<see cref="Allocate"/>), so they never move and the OrtValue wraps their address
/// directly: no pinning handle, which an undisposed OrtValue would keep for ever (its finalizer
/// does not unpin), so a batch that is never disposed is collected like any other object.
/// </summary>
internal sealed class OrtTensorCache : IDisposable
{
    private readonly long[] _shape = new long[3];
    private OrtValue? _value;
    private float[]? _array;
    private int _offset;
    private int _rank;

    /// <summary>A float array for tensor data: on the pinned object heap, since ONNX Runtime reads and writes it in place.</summary>
    public static float[] Allocate(int length) => GC.AllocateArray<float>(length, pinned: true);

    public OrtValue Get(float[] array, long rows, long columns) => Get(array, 0, 2, rows, columns, 0);

    /// <summary>The tensor [rows, columns] that starts <paramref name="offset"/> values into <paramref name="array"/>.</summary>
    public OrtValue GetAt(float[] array, int offset, long rows, long columns) => Get(array, offset, 2, rows, columns, 0);

    public OrtValue Get(float[] array, long rows, long steps, long features) => Get(array, 0, 3, rows, steps, features);

    public void Dispose()
    {
        _value?.Dispose();
        _value = null;
    }

    private OrtValue Get(float[] array, int offset, int rank, long d0, long d1, long d2)
    {
        if (_value is null || !ReferenceEquals(array, _array) || offset != _offset || rank != _rank || _shape[0] != d0 || _shape[1] != d1 || _shape[2] != d2)
        {
            _value?.Dispose();
            _array = array;
            _offset = offset;
            _rank = rank;
            (_shape[0], _shape[1], _shape[2]) = (d0, d1, d2);
            long[] shape = rank == 2 ? [d0, d1] : [d0, d1, d2];
            long bytes = checked(d0 * d1 * (rank == 3 ? d2 : 1) * sizeof(float));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, ((long)array.Length - offset) * sizeof(float), nameof(array));
            // Only arrays from Allocate come here: pinned object heap, so the address is stable.
            _value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape,
                Marshal.UnsafeAddrOfPinnedArrayElement(array, offset), bytes);
        }
        return _value;
    }
}
