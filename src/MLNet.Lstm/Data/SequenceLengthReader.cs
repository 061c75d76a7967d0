using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>Reads a row's number of steps from a numeric length column, whatever its numeric type.</summary>
internal static class SequenceLengthReader
{
    public static bool Supports(DataViewType type) =>
        type is NumberDataViewType && type.RawType != typeof(ulong);

    /// <summary>A reader of the current row's length; NaN and fractions read as -1 (refused by the caller).</summary>
    public static Func<long> Create(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(int)) return Make<int>(row, column, v => v);
        if (raw == typeof(long)) return Make<long>(row, column, v => v);
        if (raw == typeof(short)) return Make<short>(row, column, v => v);
        if (raw == typeof(sbyte)) return Make<sbyte>(row, column, v => v);
        if (raw == typeof(uint)) return Make<uint>(row, column, v => v);
        if (raw == typeof(ushort)) return Make<ushort>(row, column, v => v);
        if (raw == typeof(byte)) return Make<byte>(row, column, v => v);
        if (raw == typeof(float)) return Make<float>(row, column, v => WholeOrInvalid(v));
        if (raw == typeof(double)) return Make<double>(row, column, WholeOrInvalid);
        throw LstmThrow.LengthColumnType(column.Name, column.Type.ToString() ?? column.Type.RawType.Name);
    }

    private static Func<long> Make<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> toLong)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return toLong(value);
        };
    }

    private static long WholeOrInvalid(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? (long)value : -1;
}
